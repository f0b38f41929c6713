using Weft.Api.GoCompat;

namespace Weft.Api.Schema.Cel;

/// <summary>A google.protobuf.Duration, held as Go holds a time.Duration: signed nanoseconds.</summary>
internal sealed class CelDuration(long nanoseconds) : CelValue
{
    public long Nanoseconds { get; } = nanoseconds;

    public override CelType Type => CelType.Duration;

    public override string ToString() => GoDuration.Format(Nanoseconds);
}
