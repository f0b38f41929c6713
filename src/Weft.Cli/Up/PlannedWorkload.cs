using System.Net;

namespace Weft.Cli.Up;

/// <summary>A WorkloadEntry that <c>weft up</c> runs as a sample workload: who it answers as, where, and the file that declares it.</summary>
internal sealed record PlannedWorkload(string Name, string Namespace, string Service, string Version, IPEndPoint Address, string File);
