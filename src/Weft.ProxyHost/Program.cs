using Weft.Cli;

return WeftCommand.Run(args, Console.Out, Console.Error);
