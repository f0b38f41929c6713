using static Weft.Api.Tests.Validation.Workloads.WorkloadsTestKit;

namespace Weft.Api.Tests.Validation.Workloads;

/// <summary>WorkloadEntry and WorkloadGroup (after Istio's TestValidateWorkloadEntry and TestValidateWorkloadGroup).</summary>
public sealed class WorkloadEntryAndGroupTests
{
    [Theory]
    [InlineData("address: 1.2.3.4")]
    [InlineData("address: 'unix:///lon/google/com'")]
    [InlineData("address: 'unix://@abstract'")]
    [InlineData("{address: validdns.com, ports: {'7777': 7777}}")]
    [InlineData("{address: 172.16.1.1, ports: {'7777': 7777}}")]
    [InlineData("{address: '2001:db8::1', labels: {app: a, version: v1}, weight: 10, serviceAccount: sa, locality: us/east, network: n1}")]
    public void Valid_workload_entries(string spec) => ValidateSpec("WorkloadEntry", spec).AssertClean();

    [Theory]
    [InlineData("{}", "spec.address", "address is required")]
    [InlineData("{address: 'unix:///lon/google/com', ports: {'7777': 7777}}", "spec.ports", "unix endpoint unix:///lon/google/com must not include ports")]
    [InlineData("{address: 'unix://./relative'}", "spec.address", "./relative is not an absolute path to a file")]
    [InlineData("{address: 'invaliddns.com:9443', ports: {'7777': 7777}}", "spec.address", "endpoint address \"invaliddns.com:9443\" is not a valid FQDN or an IP address")]
    [InlineData("{address: 1.2.3.4, ports: {http: 0}}", "spec.ports[http]", "port number 0 must be in the range 1..65535")]
    [InlineData("{address: 1.2.3.4, ports: {Bad_Name: 80}}", "spec.ports[Bad_Name]", "invalid port name: Bad_Name")]
    [InlineData("{address: 1.2.3.4, labels: {'-bad': v}}", "spec.labels[-bad]", "invalid tag key: \"-bad\"")]
    [InlineData("{address: 1.2.3.4, labels: {good: 'bad value'}}", "spec.labels[good]", "invalid tag value: \"bad value\"")]
    public void Invalid_workload_entries(string spec, string path, string message) =>
        ValidateSpec("WorkloadEntry", spec).AssertError(path, message);

    [Fact]
    public void Workload_entry_without_address_but_with_network_warns()
    {
        var findings = ValidateSpec("WorkloadEntry", "network: network-2");
        findings.AssertNoErrors();
        findings.AssertWarning("spec.address", "address is unset with network \"network-2\"");
    }

    [Fact]
    public void Workload_entry_without_spec_needs_an_address() =>
        Validate("apiVersion: networking.istio.io/v1\nkind: WorkloadEntry\nmetadata: {name: foo, namespace: bar}\n")
            .AssertError("spec.address", "address is required");

    [Theory]
    [InlineData("template: {}")]
    [InlineData("template: {ports: {http: 8080}}\nprobe: {httpGet: {port: 5}}")]
    [InlineData("template: {}\nprobe: {httpGet: {port: 5, scheme: HTTPS, httpHeaders: [{name: X-Probe, value: v}]}}")]
    [InlineData("template: {}\nprobe: {tcpSocket: {port: 5}, periodSeconds: 10, failureThreshold: 3}")]
    [InlineData("template: {}\nprobe: {exec: {command: [foo, bar]}}")]
    [InlineData("metadata: {labels: {app: foo}, annotations: {any: thing}}\ntemplate: {}")]
    public void Valid_workload_groups(string spec) => ValidateSpec("WorkloadGroup", spec).AssertClean();

    [Theory]
    [InlineData("metadata: {labels: {app: foo}}", "spec.template", "template is required")]
    [InlineData("template: {}\nmetadata: {labels: {'.': '~'}}", "spec.metadata.labels[.]", "invalid labels: invalid tag key: \".\"")]
    [InlineData("template: {}\nprobe: {}", "spec.probe", "unknown health check method <nil>")]
    [InlineData("template: {}\nprobe: {periodSeconds: 5}", "spec.probe", "unknown health check method <nil>")]
    [InlineData("template: {}\nprobe: {httpGet: {}}", "spec.probe.httpGet.port", "port number 0 must be in the range 1..65535")]
    [InlineData("template: {}\nprobe: {httpGet: {port: 80, scheme: FTP}}", "spec.probe.httpGet.scheme", "httpGet.scheme must be one of \"HTTPS\", \"HTTP\"")]
    [InlineData("template: {}\nprobe: {httpGet: {port: 80, httpHeaders: [{name: 'X_Bad'}]}}", "spec.probe.httpGet.httpHeaders[0].name", "header name X_Bad is not a valid header name")]
    [InlineData("template: {}\nprobe: {tcpSocket: {}}", "spec.probe.tcpSocket.port", "port number 0 must be in the range 1..65535")]
    [InlineData("template: {}\nprobe: {exec: {}}", "spec.probe.exec.command", "exec.command is required")]
    [InlineData("template: {}\nprobe: {grpc: {port: 8080}}", "spec.probe.grpc", "unknown health check method *v1alpha3.ReadinessProbe_Grpc")]
    [InlineData("template: {}\nprobe: {tcpSocket: {port: 80}, periodSeconds: -1}", "spec.probe.periodSeconds", "periodSeconds must be non-negative")]
    [InlineData("template: {}\nprobe: {tcpSocket: {port: 80}, timeoutSeconds: -1}", "spec.probe.timeoutSeconds", "timeoutSeconds must be non-negative")]
    public void Invalid_workload_groups(string spec, string path, string message) =>
        ValidateSpec("WorkloadGroup", spec).AssertError(path, message);

    [Fact]
    public void Workload_group_template_is_not_checked_as_a_workload_entry() =>
        ValidateSpec("WorkloadGroup", "template: {address: not..valid, ports: {Bad_Name: 0}}").AssertClean();
}
