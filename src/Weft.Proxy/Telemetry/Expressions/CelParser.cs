namespace Weft.Proxy.Telemetry.Expressions;

/// <summary>
/// A recursive-descent parser for CEL's grammar (precedence, lowest first: <c>?:</c>, <c>||</c>, <c>&amp;&amp;</c>,
/// relations and <c>in</c>, <c>+ -</c>, <c>* / %</c>, unary <c>! -</c>, member access, index and calls) that plans as it
/// parses: attribute names become <see cref="CelAttribute"/>s, functions are bound, constant regexes compiled. What it
/// cannot run (comprehension macros, message construction, unknown functions) is refused here, so a filter the proxy
/// accepts can always be evaluated.
/// </summary>
internal sealed class CelParser
{
    private const int MaxDepth = 100;

    private static readonly HashSet<string> Comprehensions = new(StringComparer.Ordinal) { "all", "exists", "exists_one", "map", "filter" };

    private static readonly HashSet<string> Reserved = new(StringComparer.Ordinal)
    {
        "as", "break", "const", "continue", "else", "for", "function", "if", "import", "let", "loop", "package", "namespace", "return", "var", "void", "while",
    };

    private readonly List<CelToken> _tokens;
    private int _next;
    private int _depth;

    private CelParser(List<CelToken> tokens) => _tokens = tokens;

    /// <summary>Parses and plans <paramref name="text"/>; a <see cref="FormatException"/> says what is wrong and at which column.</summary>
    public static CelNode Parse(string text)
    {
        var parser = new CelParser(CelLexer.Tokenize(text));
        var node = parser.Expression();
        if (parser.Peek.Kind != CelTokenKind.End)
        {
            throw CelLexer.Error(parser.Peek.Position, $"unexpected '{parser.Peek.Text}'");
        }

        return node;
    }

    private CelToken Peek => _tokens[_next];

    private CelNode Expression()
    {
        if (++_depth > MaxDepth)
        {
            throw CelLexer.Error(Peek.Position, "the expression nests too deeply");
        }

        var condition = Or();
        if (Accept("?"))
        {
            var then = Or();
            Expect(":");
            var otherwise = Expression();
            condition = new CelConditionalNode(condition, then, otherwise);
        }

        _depth--;
        return condition;
    }

    private CelNode Or()
    {
        var left = And();
        while (Accept("||"))
        {
            left = new CelOrNode(left, And());
        }

        return left;
    }

    private CelNode And()
    {
        var left = Relation();
        while (Accept("&&"))
        {
            left = new CelAndNode(left, Relation());
        }

        return left;
    }

    private CelNode Relation()
    {
        var left = Addition();
        while (true)
        {
            Func<CelValue, CelValue, CelValue>? op = Peek switch
            {
                { Kind: CelTokenKind.Punctuation, Text: "<" } => CelOperators.Less,
                { Kind: CelTokenKind.Punctuation, Text: "<=" } => CelOperators.LessOrEqual,
                { Kind: CelTokenKind.Punctuation, Text: ">" } => CelOperators.Greater,
                { Kind: CelTokenKind.Punctuation, Text: ">=" } => CelOperators.GreaterOrEqual,
                { Kind: CelTokenKind.Punctuation, Text: "==" } => CelOperators.Equal,
                { Kind: CelTokenKind.Punctuation, Text: "!=" } => CelOperators.NotEqual,
                { Kind: CelTokenKind.Identifier, Text: "in" } => CelOperators.In,
                _ => null,
            };
            if (op is null)
            {
                return left;
            }

            _next++;
            left = new CelBinaryNode(op, left, Addition());
        }
    }

    private CelNode Addition()
    {
        var left = Multiplication();
        while (true)
        {
            if (Accept("+"))
            {
                left = new CelBinaryNode(CelOperators.Add, left, Multiplication());
            }
            else if (Accept("-"))
            {
                left = new CelBinaryNode(CelOperators.Subtract, left, Multiplication());
            }
            else
            {
                return left;
            }
        }
    }

    private CelNode Multiplication()
    {
        var left = Unary();
        while (true)
        {
            if (Accept("*"))
            {
                left = new CelBinaryNode(CelOperators.Multiply, left, Unary());
            }
            else if (Accept("/"))
            {
                left = new CelBinaryNode(CelOperators.Divide, left, Unary());
            }
            else if (Accept("%"))
            {
                left = new CelBinaryNode(CelOperators.Modulo, left, Unary());
            }
            else
            {
                return left;
            }
        }
    }

    private CelNode Unary()
    {
        if (Accept("!"))
        {
            return new CelUnaryNode(CelOperators.Not, Unary());
        }

        if (Accept("-"))
        {
            // A negative literal is folded, so -9223372036854775808 is the smallest int rather than an overflow.
            if (Peek is { Kind: CelTokenKind.Int or CelTokenKind.Double } literal && !IsMemberFollowing(_next + 1))
            {
                _next++;
                return new CelLiteralNode(literal.Kind == CelTokenKind.Double
                    ? CelValue.Double(-literal.Literal.AsDouble)
                    : literal.Literal.Kind == CelKind.Null ? CelValue.Int(long.MinValue) : CelValue.Int(-literal.Literal.AsInt));
            }

            return new CelUnaryNode(CelOperators.Negate, Unary());
        }

        return Member();
    }

    private bool IsMemberFollowing(int index) => _tokens[index] is { Kind: CelTokenKind.Punctuation, Text: "." or "[" };

    private CelNode Member()
    {
        var node = Primary();
        while (true)
        {
            var at = Peek.Position;
            if (Accept("."))
            {
                var name = Identifier();
                if (Accept("("))
                {
                    node = Call(name, node, Arguments(")"), at);
                }
                else
                {
                    node = node is CelRootNode root
                        ? new CelAttributeNode(CelAttributes.Of(root.Name, name), root.Name + "." + name)
                        : new CelSelectNode(node, name);
                }
            }
            else if (Accept("["))
            {
                var index = Expression();
                Expect("]");
                node = new CelIndexNode(node, index);
            }
            else
            {
                return node;
            }
        }
    }

    private CelNode Primary()
    {
        var token = Peek;
        switch (token.Kind)
        {
            case CelTokenKind.Int when token.Literal.Kind == CelKind.Null:
                throw CelLexer.Error(token.Position, $"integer literal {token.Text} is out of range");
            case CelTokenKind.Int or CelTokenKind.Uint or CelTokenKind.Double or CelTokenKind.String:
                _next++;
                return new CelLiteralNode(token.Literal);
            case CelTokenKind.Identifier:
                _next++;
                switch (token.Text)
                {
                    case "true":
                        return new CelLiteralNode(CelValue.True);
                    case "false":
                        return new CelLiteralNode(CelValue.False);
                    case "null":
                        return new CelLiteralNode(CelValue.Null);
                    case "in":
                        throw CelLexer.Error(token.Position, "unexpected 'in'");
                }

                if (Reserved.Contains(token.Text))
                {
                    throw CelLexer.Error(token.Position, $"reserved identifier '{token.Text}'");
                }

                if (Accept("("))
                {
                    return Call(token.Text, null, Arguments(")"), token.Position);
                }

                if (Peek is { Kind: CelTokenKind.Punctuation, Text: "{" })
                {
                    throw CelLexer.Error(Peek.Position, $"message construction ({token.Text}{{...}}) is not supported");
                }

                return CelAttributes.Roots.Contains(token.Text) ? new CelRootNode(token.Text) : new CelUnboundNode(token.Text);
            case CelTokenKind.Punctuation:
                _next++;
                switch (token.Text)
                {
                    case "(":
                        var inner = Expression();
                        Expect(")");
                        return inner;
                    case "[":
                        var elements = Arguments("]");
                        return elements.All(e => e is CelLiteralNode)
                            ? new CelLiteralNode(CelValue.List(elements.Select(e => ((CelLiteralNode)e).Value).ToArray()))
                            : new CelListNode(elements);
                    case "{":
                        return MapLiteral();
                    case ".":
                        throw CelLexer.Error(token.Position, "leading-dot identifiers are not supported");
                }

                break;
        }

        throw CelLexer.Error(token.Position, token.Kind == CelTokenKind.End ? "unexpected end of expression" : $"unexpected '{token.Text}'");
    }

    private CelNode MapLiteral()
    {
        var entries = new List<(CelNode, CelNode)>();
        while (!Accept("}"))
        {
            var key = Expression();
            Expect(":");
            entries.Add((key, Expression()));
            if (!Accept(","))
            {
                Expect("}");
                break;
            }
        }

        return new CelMapNode([.. entries]);
    }

    private CelNode[] Arguments(string close)
    {
        var arguments = new List<CelNode>();
        while (!Accept(close))
        {
            arguments.Add(Expression());
            if (!Accept(","))
            {
                Expect(close);
                break;
            }
        }

        return [.. arguments];
    }

    private CelNode Call(string name, CelNode? target, CelNode[] arguments, int position)
    {
        if (name == "has" && target is null)
        {
            return arguments is [CelSelectNode or CelAttributeNode or CelIndexNode]
                ? new CelHasNode(arguments[0])
                : throw CelLexer.Error(position, "has() takes one field selection, e.g. has(request.headers.x) or has(m['k'])");
        }

        if (target is not null && Comprehensions.Contains(name))
        {
            throw CelLexer.Error(position, $"the comprehension macro {name}() is not supported");
        }

        var receiver = target is not null;
        CelNode[] all = receiver ? [target!, .. arguments] : arguments;
        if (all.Length == 1 && CelFunctions.Unary(name, receiver) is { } unary)
        {
            return new CelUnaryNode(unary, all[0]);
        }

        if (all.Length == 2 && name == "matches" && all[1] is CelLiteralNode { Value.Kind: CelKind.String } pattern)
        {
            try
            {
                return new CelMatchesNode(all[0], CelFunctions.Pattern(pattern.Value.AsString));
            }
            catch (FormatException e)
            {
                throw CelLexer.Error(position, e.Message);
            }
        }

        if (all.Length == 2 && CelFunctions.Binary(name, receiver) is { } binary)
        {
            return new CelBinaryNode(binary, all[0], all[1]);
        }

        var shown = receiver ? $"x.{name}({arguments.Length} arguments)" : $"{name}({arguments.Length} arguments)";
        throw CelLexer.Error(position, CelFunctions.Known(name) ? $"no overload of {shown}" : $"unknown function {name}()");
    }

    private string Identifier()
    {
        var token = Peek;
        if (token.Kind != CelTokenKind.Identifier)
        {
            throw CelLexer.Error(token.Position, token.Kind == CelTokenKind.End ? "unexpected end of expression, expected a field name" : $"expected a field name, found '{token.Text}'");
        }

        _next++;
        return token.Text;
    }

    private bool Accept(string punctuation)
    {
        if (Peek is { Kind: CelTokenKind.Punctuation } token && token.Text == punctuation)
        {
            _next++;
            return true;
        }

        return false;
    }

    private void Expect(string punctuation)
    {
        if (!Accept(punctuation))
        {
            throw CelLexer.Error(Peek.Position, Peek.Kind == CelTokenKind.End ? $"unexpected end of expression, expected '{punctuation}'" : $"expected '{punctuation}', found '{Peek.Text}'");
        }
    }
}
