namespace Weft.Api.Validation.Rules;

internal static class Ports
{
    public static bool IsValid(long port) => port is >= 1 and <= 65535;

    public static string? Validate(long port) => IsValid(port) ? null : $"port number {port} must be in the range 1..65535";
}
