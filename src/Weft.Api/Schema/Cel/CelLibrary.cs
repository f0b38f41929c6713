namespace Weft.Api.Schema.Cel;

/// <summary>
/// Every function and operator the evaluator knows, by name, call style and arity (a receiver counts as
/// the first argument). Each implementation resolves its overload from the runtime types of its arguments.
/// </summary>
internal static class CelLibrary
{
    private static readonly Dictionary<string, Delegate> Functions = Build();

    /// <summary>The implementation: a Func taking <paramref name="arity"/> CelValues and returning a CelValue.</summary>
    public static Delegate? Find(string name, bool receiver, int arity) =>
        Functions.TryGetValue(Key(name, receiver, arity), out var function) ? function : null;

    /// <summary>Whether any overload has this name, so errors can say "wrong arguments" rather than "unknown".</summary>
    public static bool Exists(string name, bool receiver) =>
        Functions.Keys.Any(k => k.StartsWith((receiver ? "." : string.Empty) + name + "/", StringComparison.Ordinal));

    private static string Key(string name, bool receiver, int arity) => (receiver ? "." : string.Empty) + name + "/" + arity;

    private static Dictionary<string, Delegate> Build()
    {
        var f = new Dictionary<string, Delegate>(StringComparer.Ordinal);

        void Global(string name, Delegate d, int arity) => f.Add(Key(name, receiver: false, arity), d);
        void Method(string name, Delegate d, int arity) => f.Add(Key(name, receiver: true, arity), d);

        Global(CelOperator.LogicalNot, (Func<CelValue, CelValue>)CelArithmetic.Not, 1);
        Global(CelOperator.Negate, (Func<CelValue, CelValue>)CelArithmetic.Negate, 1);
        Global(CelOperator.Add, (Func<CelValue, CelValue, CelValue>)CelArithmetic.Add, 2);
        Global(CelOperator.Subtract, (Func<CelValue, CelValue, CelValue>)CelArithmetic.Subtract, 2);
        Global(CelOperator.Multiply, (Func<CelValue, CelValue, CelValue>)CelArithmetic.Multiply, 2);
        Global(CelOperator.Divide, (Func<CelValue, CelValue, CelValue>)CelArithmetic.Divide, 2);
        Global(CelOperator.Modulo, (Func<CelValue, CelValue, CelValue>)CelArithmetic.Modulo, 2);
        Global(CelOperator.Equal, (Func<CelValue, CelValue, CelValue>)CelComparisons.Equal, 2);
        Global(CelOperator.NotEqual, (Func<CelValue, CelValue, CelValue>)CelComparisons.NotEqual, 2);
        Global(CelOperator.Less, (Func<CelValue, CelValue, CelValue>)CelComparisons.Less, 2);
        Global(CelOperator.LessEqual, (Func<CelValue, CelValue, CelValue>)CelComparisons.LessEqual, 2);
        Global(CelOperator.Greater, (Func<CelValue, CelValue, CelValue>)CelComparisons.Greater, 2);
        Global(CelOperator.GreaterEqual, (Func<CelValue, CelValue, CelValue>)CelComparisons.GreaterEqual, 2);
        Global(CelOperator.In, (Func<CelValue, CelValue, CelValue>)CelComparisons.In, 2);
        Global(CelOperator.Index, (Func<CelValue, CelValue, CelValue>)CelComparisons.Index, 2);

        Global("size", (Func<CelValue, CelValue>)CelStrings.Size, 1);
        Method("size", (Func<CelValue, CelValue>)CelStrings.Size, 1);
        Global("int", (Func<CelValue, CelValue>)CelConversions.ToInt, 1);
        Global("uint", (Func<CelValue, CelValue>)CelConversions.ToUint, 1);
        Global("double", (Func<CelValue, CelValue>)CelConversions.ToDouble, 1);
        Global("string", (Func<CelValue, CelValue>)CelConversions.ToStringValue, 1);
        Global("bool", (Func<CelValue, CelValue>)CelConversions.ToBool, 1);
        Global("duration", (Func<CelValue, CelValue>)CelConversions.ToDuration, 1);
        Global("dyn", (Func<CelValue, CelValue>)CelConversions.Dyn, 1);
        Global("type", (Func<CelValue, CelValue>)CelConversions.TypeOf, 1);

        Method("contains", (Func<CelValue, CelValue, CelValue>)CelStrings.Contains, 2);
        Method("startsWith", (Func<CelValue, CelValue, CelValue>)CelStrings.StartsWith, 2);
        Method("endsWith", (Func<CelValue, CelValue, CelValue>)CelStrings.EndsWith, 2);
        Global("matches", (Func<CelValue, CelValue, CelValue>)CelRegex.Matches, 2);
        Method("matches", (Func<CelValue, CelValue, CelValue>)CelRegex.Matches, 2);
        Method("find", (Func<CelValue, CelValue, CelValue>)CelRegex.Find, 2);
        Method("findAll", (Func<CelValue, CelValue, CelValue>)CelRegex.FindAll, 2);
        Method("findAll", (Func<CelValue, CelValue, CelValue, CelValue>)CelRegex.FindAll, 3);

        Method("charAt", (Func<CelValue, CelValue, CelValue>)CelStringsExtension.CharAt, 2);
        Method("indexOf", (Func<CelValue, CelValue, CelValue>)CelStringsExtension.IndexOf, 2);
        Method("indexOf", (Func<CelValue, CelValue, CelValue, CelValue>)CelStringsExtension.IndexOf, 3);
        Method("lastIndexOf", (Func<CelValue, CelValue, CelValue>)CelStringsExtension.LastIndexOf, 2);
        Method("lastIndexOf", (Func<CelValue, CelValue, CelValue, CelValue>)CelStringsExtension.LastIndexOf, 3);
        Method("lowerAscii", (Func<CelValue, CelValue>)CelStringsExtension.LowerAscii, 1);
        Method("upperAscii", (Func<CelValue, CelValue>)CelStringsExtension.UpperAscii, 1);
        Method("replace", (Func<CelValue, CelValue, CelValue, CelValue>)CelStringsExtension.Replace, 3);
        Method("replace", (Func<CelValue, CelValue, CelValue, CelValue, CelValue>)CelStringsExtension.Replace, 4);
        Method("split", (Func<CelValue, CelValue, CelValue>)CelStringsExtension.Split, 2);
        Method("split", (Func<CelValue, CelValue, CelValue, CelValue>)CelStringsExtension.Split, 3);
        Method("substring", (Func<CelValue, CelValue, CelValue>)CelStringsExtension.Substring, 2);
        Method("substring", (Func<CelValue, CelValue, CelValue, CelValue>)CelStringsExtension.Substring, 3);
        Method("trim", (Func<CelValue, CelValue>)CelStringsExtension.Trim, 1);
        Method("join", (Func<CelValue, CelValue>)CelStringsExtension.Join, 1);
        Method("join", (Func<CelValue, CelValue, CelValue>)CelStringsExtension.Join, 2);
        Method("reverse", (Func<CelValue, CelValue>)CelStringsExtension.Reverse, 1);

        Method("getHours", (Func<CelValue, CelValue>)CelDurations.Hours, 1);
        Method("getMinutes", (Func<CelValue, CelValue>)CelDurations.Minutes, 1);
        Method("getSeconds", (Func<CelValue, CelValue>)CelDurations.Seconds, 1);
        Method("getMilliseconds", (Func<CelValue, CelValue>)CelDurations.Milliseconds, 1);

        Global("url", (Func<CelValue, CelValue>)CelUrls.Url, 1);
        Global("isURL", (Func<CelValue, CelValue>)CelUrls.IsUrl, 1);
        Method("getScheme", (Func<CelValue, CelValue>)CelUrls.GetScheme, 1);
        Method("getHost", (Func<CelValue, CelValue>)CelUrls.GetHost, 1);
        Method("getHostname", (Func<CelValue, CelValue>)CelUrls.GetHostname, 1);
        Method("getPort", (Func<CelValue, CelValue>)CelUrls.GetPort, 1);
        Method("getEscapedPath", (Func<CelValue, CelValue>)CelUrls.GetEscapedPath, 1);
        Method("getQuery", (Func<CelValue, CelValue>)CelUrls.GetQuery, 1);
        return f;
    }
}
