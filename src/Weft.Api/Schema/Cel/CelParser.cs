using System.Globalization;

namespace Weft.Api.Schema.Cel;

/// <summary>
/// Recursive-descent parser for CEL. Precedence, lowest first: <c>?:</c>, <c>||</c>, <c>&amp;&amp;</c>,
/// relations (<c>&lt; &lt;= &gt; &gt;= == != in</c>), <c>+ -</c>, <c>* / %</c>, unary <c>! -</c>, member access.
/// Macros (<c>has</c>, <c>all</c>, <c>exists</c>, <c>exists_one</c>, <c>map</c>, <c>filter</c>) are expanded here, as cel-go does.
/// </summary>
internal sealed class CelParser
{
    /// <summary>cel-go's default recursion limit; it also keeps planning and evaluation well inside the stack.</summary>
    private const int MaxDepth = 250;

    private static readonly HashSet<string> Reserved = new(StringComparer.Ordinal)
    {
        "as", "break", "const", "continue", "else", "for", "function", "if", "import", "let", "loop",
        "package", "namespace", "return", "var", "void", "while",
    };

    private readonly List<CelToken> _tokens;
    private int _index;
    private int _depth;

    private CelParser(List<CelToken> tokens) => _tokens = tokens;

    public static CelExpr Parse(string source)
    {
        var parser = new CelParser(CelLexer.Tokenize(source));
        var expr = parser.Expression();
        if (parser.Current.Kind != CelTokenKind.End)
        {
            throw parser.Unexpected();
        }

        return expr;
    }

    private CelToken Current => _tokens[_index];

    private CelToken PeekToken(int ahead) => _tokens[Math.Min(_index + ahead, _tokens.Count - 1)];

    private CelToken Advance() => _tokens[_index++];

    private bool Take(CelTokenKind kind)
    {
        if (Current.Kind != kind)
        {
            return false;
        }

        _index++;
        return true;
    }

    private CelToken Expect(CelTokenKind kind, string what)
    {
        if (Current.Kind != kind)
        {
            throw new CelCompileException($"expected {what}", Current.Position);
        }

        return Advance();
    }

    private CelCompileException Unexpected() => Current.Kind == CelTokenKind.End
        ? new CelCompileException("unexpected end of expression", Current.Position)
        : new CelCompileException($"unexpected token {Describe(Current)}", Current.Position);

    private static string Describe(CelToken token) => token.Kind switch
    {
        CelTokenKind.Identifier => $"'{token.Text}'",
        CelTokenKind.String => "string literal",
        CelTokenKind.Int or CelTokenKind.Uint or CelTokenKind.Double => $"number '{token.Text}'",
        _ => token.Kind.ToString(),
    };

    private static T Bounded<T>(T expr)
        where T : CelExpr
    {
        if (expr.Depth > MaxDepth)
        {
            throw new CelCompileException($"expression nests deeper than {MaxDepth} levels", expr.Position);
        }

        return expr;
    }

    private static CelCallExpr Operator(int position, string name, params CelExpr[] args) =>
        Bounded(new CelCallExpr(position, null, name, args));

    private CelExpr Expression()
    {
        // Parentheses, arguments and literals nest through here; bounding it keeps the parser off the stack's edge.
        if (++_depth > MaxDepth)
        {
            throw new CelCompileException($"expression nests deeper than {MaxDepth} levels", Current.Position);
        }

        var condition = Or();
        var at = Current.Position;
        if (Take(CelTokenKind.Question))
        {
            var whenTrue = Or();
            Expect(CelTokenKind.Colon, "':' of the conditional operator");
            var whenFalse = Expression();
            condition = Operator(at, CelOperator.Conditional, condition, whenTrue, whenFalse);
        }

        _depth--;
        return condition;
    }

    private CelExpr Or()
    {
        var left = And();
        while (Current.Kind == CelTokenKind.OrOr)
        {
            var at = Advance().Position;
            left = Operator(at, CelOperator.LogicalOr, left, And());
        }

        return left;
    }

    private CelExpr And()
    {
        var left = Relation();
        while (Current.Kind == CelTokenKind.AndAnd)
        {
            var at = Advance().Position;
            left = Operator(at, CelOperator.LogicalAnd, left, Relation());
        }

        return left;
    }

    private CelExpr Relation()
    {
        var left = Addition();
        while (true)
        {
            var name = Current.Kind switch
            {
                CelTokenKind.Less => CelOperator.Less,
                CelTokenKind.LessEqual => CelOperator.LessEqual,
                CelTokenKind.Greater => CelOperator.Greater,
                CelTokenKind.GreaterEqual => CelOperator.GreaterEqual,
                CelTokenKind.EqualEqual => CelOperator.Equal,
                CelTokenKind.NotEqual => CelOperator.NotEqual,
                CelTokenKind.In => CelOperator.In,
                _ => null,
            };
            if (name is null)
            {
                return left;
            }

            var at = Advance().Position;
            left = Operator(at, name, left, Addition());
        }
    }

    private CelExpr Addition()
    {
        var left = Multiplication();
        while (Current.Kind is CelTokenKind.Plus or CelTokenKind.Minus)
        {
            var op = Advance();
            var name = op.Kind == CelTokenKind.Plus ? CelOperator.Add : CelOperator.Subtract;
            left = Operator(op.Position, name, left, Multiplication());
        }

        return left;
    }

    private CelExpr Multiplication()
    {
        var left = Unary();
        while (Current.Kind is CelTokenKind.Star or CelTokenKind.Slash or CelTokenKind.Percent)
        {
            var op = Advance();
            var name = op.Kind switch
            {
                CelTokenKind.Star => CelOperator.Multiply,
                CelTokenKind.Slash => CelOperator.Divide,
                _ => CelOperator.Modulo,
            };
            left = Operator(op.Position, name, left, Unary());
        }

        return left;
    }

    private CelExpr Unary()
    {
        if (Current.Kind == CelTokenKind.Not)
        {
            return Repeated(CelTokenKind.Not, CelOperator.LogicalNot);
        }

        // A minus directly before a number is part of the literal (so the most negative int can be written).
        if (Current.Kind == CelTokenKind.Minus && !IsNumber(PeekToken(1).Kind))
        {
            return Repeated(CelTokenKind.Minus, CelOperator.Negate);
        }

        return Member();
    }

    private CelExpr Repeated(CelTokenKind kind, string name)
    {
        var positions = new List<int>();
        while (Current.Kind == kind)
        {
            positions.Add(Advance().Position);
        }

        var operand = Member();
        for (var i = positions.Count - 1; i >= 0; i--)
        {
            operand = Operator(positions[i], name, operand);
        }

        return operand;
    }

    private static bool IsNumber(CelTokenKind kind) => kind is CelTokenKind.Int or CelTokenKind.Uint or CelTokenKind.Double;

    private CelExpr Member()
    {
        var expr = Primary();
        while (true)
        {
            if (Current.Kind == CelTokenKind.Dot)
            {
                var at = Advance().Position;
                if (Current.Kind == CelTokenKind.Question)
                {
                    throw new CelCompileException("optional field selection (.?) is not supported", at);
                }

                var name = FieldName();
                expr = Current.Kind == CelTokenKind.LeftParen
                    ? ReceiverCall(at, expr, name, Arguments())
                    : Bounded(new CelSelectExpr(at, expr, name, TestOnly: false));
            }
            else if (Current.Kind == CelTokenKind.LeftBracket)
            {
                var at = Advance().Position;
                if (Current.Kind == CelTokenKind.Question)
                {
                    throw new CelCompileException("optional index ([?) is not supported", at);
                }

                var index = Expression();
                Expect(CelTokenKind.RightBracket, "']'");
                expr = Operator(at, CelOperator.Index, expr, index);
            }
            else
            {
                return expr;
            }
        }
    }

    private string FieldName()
    {
        var token = Expect(CelTokenKind.Identifier, "a field name after '.'");
        if (token.Text is "true" or "false" or "null")
        {
            throw new CelCompileException($"'{token.Text}' cannot be a field name", token.Position);
        }

        return token.Text;
    }

    private List<CelExpr> Arguments()
    {
        Expect(CelTokenKind.LeftParen, "'('");
        var args = new List<CelExpr>();
        if (Take(CelTokenKind.RightParen))
        {
            return args;
        }

        do
        {
            args.Add(Expression());
        }
        while (Take(CelTokenKind.Comma));

        Expect(CelTokenKind.RightParen, "')' or ','");
        return args;
    }

    private CelExpr Primary()
    {
        var token = Current;
        switch (token.Kind)
        {
            case CelTokenKind.Minus:
                Advance();
                return Number(Advance(), negative: true);
            case CelTokenKind.Int or CelTokenKind.Uint or CelTokenKind.Double:
                return Number(Advance(), negative: false);
            case CelTokenKind.String:
                Advance();
                return new CelLiteralExpr(token.Position, new CelString(token.Text));
            case CelTokenKind.Identifier:
                return IdentifierOrCall();
            case CelTokenKind.Dot when PeekToken(1).Kind == CelTokenKind.Identifier:
                // A leading dot names the root namespace; with no namespaces declared it resolves the same.
                Advance();
                return IdentifierOrCall();
            case CelTokenKind.LeftParen:
                Advance();
                var inner = Expression();
                Expect(CelTokenKind.RightParen, "')'");
                return inner;
            case CelTokenKind.LeftBracket:
                return ListLiteral();
            case CelTokenKind.LeftBrace:
                return MapLiteral();
            default:
                throw Unexpected();
        }
    }

    private CelExpr IdentifierOrCall()
    {
        var token = Advance();
        switch (token.Text)
        {
            case "true":
                return new CelLiteralExpr(token.Position, CelBool.True);
            case "false":
                return new CelLiteralExpr(token.Position, CelBool.False);
            case "null":
                return new CelLiteralExpr(token.Position, CelNull.Instance);
        }

        if (Reserved.Contains(token.Text))
        {
            throw new CelCompileException($"reserved identifier '{token.Text}'", token.Position);
        }

        if (Current.Kind == CelTokenKind.LeftParen)
        {
            return GlobalCall(token, Arguments());
        }

        if (Current.Kind == CelTokenKind.LeftBrace)
        {
            throw new CelCompileException("message construction is not supported", Current.Position);
        }

        return new CelIdentExpr(token.Position, token.Text);
    }

    private static CelExpr GlobalCall(CelToken name, List<CelExpr> args)
    {
        if (name.Text == "has" && args.Count == 1)
        {
            if (args[0] is not CelSelectExpr select)
            {
                throw new CelCompileException("invalid argument to has() macro: it must be a field selection", args[0].Position);
            }

            return select with { TestOnly = true };
        }

        return Bounded(new CelCallExpr(name.Position, null, name.Text, args));
    }

    private static CelExpr ReceiverCall(int at, CelExpr target, string name, List<CelExpr> args)
    {
        var kind = (name, args.Count) switch
        {
            ("all", 2) => CelComprehensionKind.All,
            ("exists", 2) => CelComprehensionKind.Exists,
            ("exists_one", 2) => CelComprehensionKind.ExistsOne,
            ("map", 2) => CelComprehensionKind.Map,
            ("map", 3) => CelComprehensionKind.FilterMap,
            ("filter", 2) => CelComprehensionKind.Filter,
            _ => (CelComprehensionKind?)null,
        };
        if (kind is null)
        {
            return Bounded(new CelCallExpr(at, target, name, args));
        }

        if (args[0] is not CelIdentExpr variable)
        {
            throw new CelCompileException($"the first argument of {name}() must be a simple name", args[0].Position);
        }

        var comprehension = kind.Value switch
        {
            CelComprehensionKind.Map => new CelComprehensionExpr(at, kind.Value, target, variable.Name, null, args[1]),
            CelComprehensionKind.FilterMap => new CelComprehensionExpr(at, kind.Value, target, variable.Name, args[1], args[2]),
            _ => new CelComprehensionExpr(at, kind.Value, target, variable.Name, args[1], null),
        };
        return Bounded(comprehension);
    }

    private CelExpr ListLiteral()
    {
        var at = Advance().Position;
        var items = new List<CelExpr>();
        while (Current.Kind != CelTokenKind.RightBracket)
        {
            items.Add(Expression());
            if (!Take(CelTokenKind.Comma))
            {
                break;
            }
        }

        Expect(CelTokenKind.RightBracket, "']' or ','");
        return Bounded(new CelListExpr(at, items));
    }

    private CelExpr MapLiteral()
    {
        var at = Advance().Position;
        var entries = new List<CelMapEntry>();
        while (Current.Kind != CelTokenKind.RightBrace)
        {
            var key = Expression();
            Expect(CelTokenKind.Colon, "':' after a map key");
            entries.Add(new CelMapEntry(key, Expression()));
            if (!Take(CelTokenKind.Comma))
            {
                break;
            }
        }

        Expect(CelTokenKind.RightBrace, "'}' or ','");
        return Bounded(new CelMapExpr(at, entries));
    }

    private static CelLiteralExpr Number(CelToken token, bool negative)
    {
        var at = token.Position;
        switch (token.Kind)
        {
            case CelTokenKind.Double:
                var d = double.Parse(token.Text, NumberStyles.Float, CultureInfo.InvariantCulture);
                return new CelLiteralExpr(at, new CelDouble(negative ? -d : d));
            case CelTokenKind.Uint:
                if (negative)
                {
                    throw new CelCompileException("an unsigned literal cannot be negative", at);
                }

                return new CelLiteralExpr(at, new CelUint(ParseMagnitude(token) ?? throw OutOfRange(token)));
            case CelTokenKind.Int:
                var magnitude = ParseMagnitude(token) ?? throw OutOfRange(token);
                if (negative)
                {
                    return magnitude <= 1UL << 63
                        ? new CelLiteralExpr(at, CelInt.Of(unchecked(-(long)magnitude)))
                        : throw OutOfRange(token);
                }

                return magnitude <= long.MaxValue ? new CelLiteralExpr(at, CelInt.Of((long)magnitude)) : throw OutOfRange(token);
            default:
                throw new CelCompileException("expected a number after '-'", at);
        }
    }

    private static ulong? ParseMagnitude(CelToken token) =>
        ulong.TryParse(token.Text, token.Hex ? NumberStyles.AllowHexSpecifier : NumberStyles.None, CultureInfo.InvariantCulture, out var value)
            ? value
            : null;

    private static CelCompileException OutOfRange(CelToken token) =>
        new($"integer literal '{token.Text}' is out of range", token.Position);
}
