namespace Weft.Bench.Scale;

/// <summary>
/// One one-file change: from the file write to the push (watch, debounce, reload) and to the last affected client's ACK of
/// the new route configuration; <see cref="PerClientMs"/> is from the write to each client's ACK. <see cref="Verified"/>
/// clients decoded their routes and were checked to hold the new weights. A transport floor push is timed the same way
/// from its <c>push</c> command, with <see cref="Service"/> <see cref="NoService"/> and nothing to verify.
/// </summary>
internal sealed record ChangeResult(int Service, long PushVersion, double WriteToPushMs, double WriteToLastAckMs, IReadOnlyList<double> PerClientMs, TimeSpan Cpu, int Verified)
{
    /// <summary>The service of a push that changed no file (the transport floor's).</summary>
    public const int NoService = -1;
}
