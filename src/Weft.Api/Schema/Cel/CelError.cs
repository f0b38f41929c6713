namespace Weft.Api.Schema.Cel;

/// <summary>An evaluation error, carried as a value so that logical operators can absorb it.</summary>
internal sealed class CelError(string message) : CelValue
{
    public string Message { get; } = message;

    public override CelType Type => CelType.Error;

    public static CelError NoOverload(string function, CelValue arg) =>
        new($"no such overload: {function}({arg.Type.Name})");

    public static CelError NoOverload(string function, CelValue a, CelValue b) =>
        new($"no such overload: {function}({a.Type.Name}, {b.Type.Name})");

    public static CelError NoOverload(string function, CelValue a, CelValue b, CelValue c) =>
        new($"no such overload: {function}({a.Type.Name}, {b.Type.Name}, {c.Type.Name})");

    public override string ToString() => Message;
}
