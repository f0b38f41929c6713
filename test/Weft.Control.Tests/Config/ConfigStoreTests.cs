using Weft.Control.Config;
using Weft.Control.Tests.Support;

namespace Weft.Control.Tests.Config;

/// <summary>The configuration in force as files change: last good versions kept, nothing invalid admitted.</summary>
public sealed class ConfigStoreTests
{
    private static readonly ConfigKey VirtualService = new("VirtualService", "default", "product-catalog");

    [Fact]
    public void Valid_files_are_admitted_with_the_default_namespace_filled_in()
    {
        var store = new ConfigStore();
        var changed = store.Apply([new("svc.yaml", Canary.Service.Replace("namespace: default", "namespace: \"\"", StringComparison.Ordinal))]);
        Assert.Contains(new ConfigKey("ServiceEntry", "default", "product-catalog"), changed);
        Assert.Equal(3, store.Current.Resources.Count);
        Assert.Empty(store.Current.Rejections);
    }

    [Fact]
    public void An_invalid_edit_keeps_the_last_good_version_and_names_file_line_and_field()
    {
        var store = new ConfigStore();
        store.Apply([new("vs.yaml", Canary.Split(90, 10))]);
        var good = store.Current.Resources[VirtualService];

        var changed = store.Apply([new("vs.yaml", Canary.Split(90, 10).Replace("weight: 10", "weight: -10", StringComparison.Ordinal))]);

        Assert.Empty(changed);
        Assert.Same(good, store.Current.Resources[VirtualService]);
        var rejection = Assert.Single(store.Current.Rejections);
        Assert.True(rejection.KeptLastGood);
        Assert.Equal(VirtualService, rejection.Key);
        var error = Assert.Single(rejection.Errors);
        Assert.Equal("spec.http[0].route[1].weight", error.FieldPath);
        Assert.Equal("vs.yaml", error.Location.File);
        Assert.Equal(9, error.Location.Line);
    }

    [Fact]
    public void A_new_invalid_resource_is_rejected_without_a_last_good_version()
    {
        var store = new ConfigStore();
        var changed = store.Apply([new("vs.yaml", Canary.Split(90, 10).Replace("weight: 10", "weight: -10", StringComparison.Ordinal))]);
        Assert.Empty(changed);
        Assert.Empty(store.Current.Resources);
        Assert.False(Assert.Single(store.Current.Rejections).KeptLastGood);
    }

    [Fact]
    public void A_file_that_is_not_yaml_keeps_everything_it_held()
    {
        var store = new ConfigStore();
        store.Apply([new("all.yaml", Canary.Service + "\n---\n" + Canary.Subsets)]);
        var before = store.Current.Resources.Count;

        var changed = store.Apply([new("all.yaml", "kind: [unclosed\n")]);

        Assert.Empty(changed);
        Assert.Equal(before, store.Current.Resources.Count);
        var rejection = Assert.Single(store.Current.Rejections);
        Assert.Null(rejection.Key);
        Assert.True(rejection.KeptLastGood);
        Assert.Equal("all.yaml", rejection.Errors[0].Location.File);
    }

    [Fact]
    public void Removing_a_resource_from_a_file_or_deleting_the_file_removes_it()
    {
        var store = new ConfigStore();
        store.Apply([new("all.yaml", Canary.Service + "\n---\n" + Canary.Subsets), new("vs.yaml", Canary.Split(90, 10))]);
        var changed = store.Apply([new("all.yaml", Canary.Service)]);
        Assert.Equal([new ConfigKey("DestinationRule", "default", "product-catalog")], changed);

        changed = store.Apply([new("vs.yaml", null)]);
        Assert.Equal([VirtualService], changed);
        Assert.DoesNotContain(VirtualService, store.Current.Resources.Keys);
    }

    [Fact]
    public void Rewriting_a_file_with_the_same_content_changes_nothing()
    {
        var store = new ConfigStore();
        store.Apply([new("vs.yaml", Canary.Split(90, 10))]);
        var generation = store.Current.Generation;
        var reformatted = "# a comment moves every line\n" + Canary.Split(90, 10);
        Assert.Empty(store.Apply([new("vs.yaml", reformatted)]));
        Assert.Equal(generation, store.Current.Generation);
    }

    [Fact]
    public void The_same_resource_in_two_files_is_reported_and_the_first_file_wins()
    {
        var store = new ConfigStore();
        store.Apply([new("a.yaml", Canary.Split(90, 10)), new("b.yaml", Canary.Split(10, 90))]);
        Assert.Equal("a.yaml", store.Current.Resources[VirtualService].File);
        var rejection = Assert.Single(store.Current.Rejections);
        Assert.Equal("b.yaml", rejection.File);
        Assert.Contains("also defined in a.yaml", rejection.Errors[0].Message, StringComparison.Ordinal);
    }
}
