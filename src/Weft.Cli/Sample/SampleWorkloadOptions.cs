using System.Net;

namespace Weft.Cli.Sample;

/// <summary>What a sample workload says it is and where it listens; port 0 lets the OS choose.</summary>
internal sealed record SampleWorkloadOptions(string Service, string Version, string Instance, IPEndPoint Address);
