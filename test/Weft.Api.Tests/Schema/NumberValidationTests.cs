using Weft.Api.Schema;
using static Weft.Api.Tests.Schema.SchemaKit;

namespace Weft.Api.Tests.Schema;

public sealed class NumberValidationTests
{
    private static SchemaNode Port => Obj(("port", new SchemaNode { Type = SchemaType.Integer, Minimum = 0, Maximum = 4294967295 }));

    [Fact]
    public void Below_minimum()
    {
        Assert.Equal(
            ["spec.port: Invalid value: -1: spec.port in body should be greater than or equal to 0"],
            Details(Port, "port: -1"));
    }

    [Fact]
    public void Above_maximum_shows_the_bound_as_an_integer()
    {
        Assert.Equal(
            ["spec.port: Invalid value: 4294967296: spec.port in body should be less than or equal to 4294967295"],
            Details(Port, "port: 4294967296"));
    }

    [Fact]
    public void A_float_is_compared_and_shown_as_go_shows_floats()
    {
        var spec = Obj(("percent", new SchemaNode { Type = SchemaType.Number, Minimum = 0, Maximum = 100 }));
        Assert.Equal(
            ["spec.percent: Invalid value: 100.5: spec.percent in body should be less than or equal to 100"],
            Details(spec, "percent: 100.5"));
        Assert.Equal(
            ["spec.percent: Invalid value: -0.1: spec.percent in body should be greater than or equal to 0"],
            Details(spec, "percent: -0.1"));
    }

    [Fact]
    public void An_integral_float_counts_as_an_integer()
    {
        var spec = Obj(("percent", new SchemaNode { Type = SchemaType.Number, Maximum = 100 }));
        Assert.Equal(
            ["spec.percent: Invalid value: 150: spec.percent in body should be less than or equal to 100"],
            Details(spec, "percent: 150.0"));
    }

    [Fact]
    public void Exclusive_bounds()
    {
        var spec = Obj(("v", new SchemaNode { Type = SchemaType.Integer, Minimum = 0, ExclusiveMinimum = true, Maximum = 10, ExclusiveMaximum = true }));
        Assert.Equal(["spec.v: Invalid value: 0: spec.v in body should be greater than 0"], Details(spec, "v: 0"));
        Assert.Equal(["spec.v: Invalid value: 10: spec.v in body should be less than 10"], Details(spec, "v: 10"));
        Assert.Empty(Check(spec, "v: 5"));
    }

    [Fact]
    public void Large_float_bounds_print_in_go_exponent_form()
    {
        var spec = Obj(("v", new SchemaNode { Type = SchemaType.Number, Maximum = 4294967295 }));
        Assert.Equal(
            ["spec.v: Invalid value: 4.2949672955e+09: spec.v in body should be less than or equal to 4.294967295e+09"],
            Details(spec, "v: 4294967295.5"));
    }
}
