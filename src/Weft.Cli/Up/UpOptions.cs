namespace Weft.Cli.Up;

/// <summary>
/// What <c>weft up</c> was asked for: the directory, the control plane's addresses, how long to run (null: until interrupted),
/// the request rate per service, and whether to draw the live view (otherwise one summary line per second).
/// </summary>
internal sealed record UpOptions(string Directory, string XdsAddress, string HttpAddress, TimeSpan? Duration, double Rate, bool View);
