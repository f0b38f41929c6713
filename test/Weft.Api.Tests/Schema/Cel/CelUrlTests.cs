using static Weft.Api.Tests.Schema.Cel.CelTestSupport;

namespace Weft.Api.Tests.Schema.Cel;

/// <summary>The Kubernetes URL library, on Go's net/url rules.</summary>
public sealed class CelUrlTests
{
    [Theory]
    [InlineData("https://example.com", true)]
    [InlineData("https://user:p%40ss@example.com:8443/a/b?q=1#frag", true)]
    [InlineData("/absolute/path", true)]
    [InlineData("*", true)]
    [InlineData("mailto:someone@example.com", true)]
    [InlineData("http://[::1]:80/", true)]
    [InlineData("http://[fe80::1%25en0]/", true)]
    [InlineData("http://[::ffff:1.2.3.4]/", true)]
    [InlineData("http://%C3%A9.com/", true)]
    [InlineData("example.com", false)]
    [InlineData("example.com/path", false)]
    [InlineData("", false)]
    [InlineData("//example.com/path", true)]
    [InlineData(":foo", false)]
    [InlineData("http://[::1", false)]
    [InlineData("http://[1.2.3.4]/", false)]
    [InlineData("http://[::1]x/", false)]
    [InlineData("http://x[::1]/", false)]
    [InlineData("http://[not-an-ip]/", false)]
    [InlineData("http://a b.com/", false)]
    [InlineData("http://example.com:80x/", false)]
    [InlineData("http://%41.com/", false)]
    [InlineData("http://example.com/%zz", false)]
    [InlineData("http://us er@example.com/", false)]
    [InlineData("http://example.com/\t", false)]
    public void Is_url(string text, bool expected) =>
        AssertOutcome(expected ? "Passed" : "Failed", Run("isURL(self)", "'" + text.Replace("'", "''", StringComparison.Ordinal) + "'"), text);

    [Theory]
    [InlineData("url('https://user@Example.com:8443/a%2Fb/c d?x=1&y=2&x=3#f').getScheme() == 'https'")]
    [InlineData("url('HTTPS://example.com').getScheme() == 'https'")]
    [InlineData("url('https://user@Example.com:8443/a').getHost() == 'Example.com:8443'")]
    [InlineData("url('https://user@Example.com:8443/a').getHostname() == 'Example.com'")]
    [InlineData("url('https://user@Example.com:8443/a').getPort() == '8443'")]
    [InlineData("url('https://example.com/a').getPort() == ''")]
    [InlineData("url('https://[::1]:8443/a').getHost() == '[::1]:8443'")]
    [InlineData("url('https://[::1]:8443/a').getHostname() == '::1'")]
    [InlineData("url('https://[::1]/a').getPort() == ''")]
    [InlineData("url('https://example.com/a%2Fb/c').getEscapedPath() == '/a%2Fb/c'")]
    [InlineData("url('https://example.com/a b').getEscapedPath() == '/a%20b'")]
    [InlineData("url('https://example.com/é').getEscapedPath() == '/%C3%A9'")]
    [InlineData("url('https://example.com').getEscapedPath() == ''")]
    [InlineData("url('https://example.com/p?x=1&y=2&x=3').getQuery() == {'x': ['1', '3'], 'y': ['2']}")]
    [InlineData("url('https://example.com/p?a+b=c%20d&bad=%zz&e').getQuery() == {'a b': ['c d'], 'e': ['']}")]
    [InlineData("url('https://example.com/p?a=1;b=2').getQuery() == {}")]
    [InlineData("url('https://example.com/p#frag').getEscapedPath() == '/p'")]
    [InlineData("url('/just/a/path').getHost() == '' && url('/just/a/path').getScheme() == ''")]
    [InlineData("url('https://example.com') == url('https://example.com')")]
    public void Url_parts(string expression) => AssertOutcome("Passed", Run(expression, "{}"), expression);

    [Theory]
    [InlineData("url('example.com').getScheme() == ''", "Error: URL parse error during conversion from string: parse \"example.com\": invalid URI for request")]
    [InlineData("url('http://a\\x01b').getScheme() == ''", "Error: parse \"http://a\\x01b\": net/url: invalid control character in URL")]
    [InlineData("url(1).getScheme() == ''", "Error: no such overload")]
    [InlineData("'x'.getScheme() == ''", "Error: no such overload")]
    public void Url_errors(string expression, string expected) => AssertOutcome(expected, Run(expression, "{}"), expression);
}
