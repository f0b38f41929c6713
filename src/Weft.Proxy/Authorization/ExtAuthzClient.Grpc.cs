using System.Buffers.Binary;
using System.Globalization;
using System.Net;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Weft.Proxy.Snapshot;
using Weft.Proxy.Snapshot.Clusters;
using Weft.Xds.Envoy.Config.Core.V3;
using Weft.Xds.Envoy.Service.Auth.V3;

namespace Weft.Proxy.Authorization;

/// <summary>
/// The gRPC side of <see cref="ExtAuthzClient"/>: one unary <c>Authorization/Check</c> call over HTTP/2 (prior
/// knowledge on a plaintext cluster) with the request described as an <c>AttributeContext</c>. An OK status allows, with
/// the <c>ok_response</c>'s header edits; any other status denies, with the <c>denied_response</c>'s status (403 when
/// unset), headers and body; a call that fails (no answer, a gRPC error, a malformed message) is an error.
/// </summary>
internal sealed partial class ExtAuthzClient
{
    private const string CheckPath = "/envoy.service.auth.v3.Authorization/Check";

    private Task<ExtAuthzResult> CheckAsync(ExtAuthzGrpcService service, ClusterRuntime cluster, UpstreamHost host, ExtAuthzCheck check, byte[]? body, CancellationToken cancel) =>
        CallAsync(service, cluster, host, Request(service, check, body, time.GetUtcNow()), check.Request.Method, check.Request.Path, cancel);

    /// <summary>
    /// Asks a gRPC service about a connection (the network filter, once per connection): its two ends and nothing of a
    /// request, as Envoy's network ext_authz describes it; the destination's service is the SNI the client asked for.
    /// </summary>
    public Task<ExtAuthzResult> CheckConnectionAsync(ExtAuthzGrpcService service, ProxySnapshot snapshot, AuthorizationInput connection, Tls.DownstreamTlsFeature? tls, CancellationToken cancel)
    {
        var (cluster, host, failure) = Resolve(service, snapshot);
        if (failure is not null)
        {
            return Task.FromResult(Failed(service, failure));
        }

        var request = new CheckRequest
        {
            Attributes = new AttributeContext
            {
                Source = ExtAuthzPeers.Source(connection, tls, service.IncludePeerCertificate),
                Destination = ExtAuthzPeers.Destination(connection, tls, connection.ServerName),
            },
        };
        return CallAsync(service, cluster!, host!, request, "connection from", connection.DirectRemoteAddress + ":" + connection.DirectRemotePort.ToString(CultureInfo.InvariantCulture), cancel);
    }

    private async Task<ExtAuthzResult> CallAsync(ExtAuthzGrpcService service, ClusterRuntime cluster, UpstreamHost host, CheckRequest check, string method, string path, CancellationToken cancel)
    {
        try
        {
            using var lease = transports.Acquire(cluster.Model);
            using var message = new HttpRequestMessage(HttpMethod.Post, new Uri("http://" + host.Authority + CheckPath))
            {
                Version = HttpVersion.Version20,
                VersionPolicy = HttpVersionPolicy.RequestVersionExact,
                Content = new ByteArrayContent(Frame(check)),
            };
            message.Headers.Host = service.Authority;
            message.Headers.TryAddWithoutValidation("te", "trailers");
            message.Content.Headers.TryAddWithoutValidation("content-type", "application/grpc");
            if (service.Timeout > TimeSpan.Zero)
            {
                message.Headers.TryAddWithoutValidation("grpc-timeout", ((long)Math.Ceiling(service.Timeout.TotalMilliseconds)).ToString(CultureInfo.InvariantCulture) + "m");
            }

            using var timeout = new CancellationTokenSource(Limit(service), time);
            using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancel, timeout.Token);
            using var response = await lease.Invoker.SendAsync(message, linked.Token).ConfigureAwait(false);
            var payload = await response.Content.ReadAsByteArrayAsync(linked.Token).ConfigureAwait(false);
            if (response.StatusCode != HttpStatusCode.OK)
            {
                return Failed(service, $"the call answered HTTP {(int)response.StatusCode}");
            }

            var status = GrpcStatus(response);
            if (status != "0")
            {
                return Failed(service, $"the call ended with gRPC status {status ?? "(none)"}");
            }

            return Unframe(payload) is { } framed
                ? Decide(service, CheckResponse.Parser.ParseFrom(framed), method, path)
                : Failed(service, "the answer is not one uncompressed gRPC message");
        }
        catch (OperationCanceledException) when (!cancel.IsCancellationRequested)
        {
            return Failed(service, $"no answer within {service.Timeout.TotalMilliseconds:0} ms");
        }
        catch (HttpRequestException e)
        {
            return Failed(service, e.Message);
        }
        catch (InvalidProtocolBufferException e)
        {
            return Failed(service, "the answer does not decode: " + e.Message);
        }
    }

    private ExtAuthzResult Decide(ExtAuthzGrpcService service, CheckResponse answer, string method, string path)
    {
        if ((answer.Status?.Code ?? 0) == 0)
        {
            var ok = answer.OkResponse;
            List<KeyValuePair<string, string>> set = [], append = [], client = [];
            foreach (var option in ok?.Headers ?? [])
            {
                (option.Append == true ? append : set).Add(Header(option));
            }

            foreach (var option in ok?.ResponseHeadersToAdd ?? [])
            {
                client.Add(Header(option));
            }

            return ExtAuthzResult.Ok(set, append, client, ok?.HeadersToRemove.Select(h => h.ToLowerInvariant()).ToArray() ?? []);
        }

        var denied = answer.DeniedResponse;
        var status = denied?.Status is { Code: var code } && code != 0 ? (int)code : 403;
        LogDenied(log, service.Cluster, method, path, status);
        return ExtAuthzResult.Denied(status, denied?.Body ?? string.Empty, denied?.Headers.Select(Header).ToArray() ?? []);
    }

    private static KeyValuePair<string, string> Header(HeaderValueOption option) =>
        KeyValuePair.Create(option.Header.Key.ToLowerInvariant(), option.Header.Value.Length > 0 ? option.Header.Value : option.Header.RawValue.ToStringUtf8());

    /// <summary>
    /// The check as Envoy fills it: both peers (principals, the client certificate with <c>include_peer_certificate</c>),
    /// the request's attributes, its headers (those allowed) and body, the TLS session with <c>include_tls_session</c>,
    /// and the dynamic metadata of the namespaces the filter names.
    /// </summary>
    private static CheckRequest Request(ExtAuthzGrpcService service, ExtAuthzCheck check, byte[]? body, DateTimeOffset now)
    {
        var request = check.Request;
        var connection = check.Connection;
        var http = new AttributeContext.Types.HttpRequest
        {
            Id = check.RequestId,
            Method = request.Method,
            Path = request.Path,
            Host = request.Authority,
            Scheme = request.Scheme,
            Size = check.Size,
            Protocol = check.Protocol,
        };
        foreach (var (name, value) in new[] { (":authority", request.Authority), (":method", request.Method), (":path", request.Path) })
        {
            if (service.SendsHeader(name))
            {
                http.Headers[name] = value;
            }
        }

        foreach (var (name, values) in request.Headers)
        {
            var lower = name.ToLowerInvariant();
            if (!lower.StartsWith(':') && service.SendsHeader(lower))
            {
                http.Headers[lower] = string.Join(',', values.ToArray());
            }
        }

        if (body is not null)
        {
            if (service.PackAsBytes)
            {
                http.RawBody = ByteString.CopyFrom(body);
            }
            else
            {
                http.Body = System.Text.Encoding.UTF8.GetString(body);
            }
        }

        var attributes = new AttributeContext
        {
            Source = ExtAuthzPeers.Source(connection, check.Tls, service.IncludePeerCertificate),
            Destination = ExtAuthzPeers.Destination(connection, check.Tls, string.Empty),
            Request = new AttributeContext.Types.Request { Time = Timestamp.FromDateTimeOffset(now), Http = http },
        };

        // As Envoy: the session is there for any TLS connection, its SNI only when the client sent one.
        if (service.IncludeTlsSession && check.Tls is not null)
        {
            attributes.TlsSession = new AttributeContext.Types.TLSSession { Sni = connection.ServerName };
        }

        foreach (var name in service.MetadataNamespaces)
        {
            if (connection.Metadata.Get(name) is { } values)
            {
                (attributes.MetadataContext ??= new Metadata()).FilterMetadata[name] = values.Clone();
            }
        }

        return new CheckRequest { Attributes = attributes };
    }

    /// <summary>A gRPC message on the wire: not compressed, its length (big-endian), its bytes.</summary>
    private static byte[] Frame(IMessage message)
    {
        var size = message.CalculateSize();
        var framed = new byte[5 + size];
        BinaryPrimitives.WriteUInt32BigEndian(framed.AsSpan(1), (uint)size);
        message.WriteTo(framed.AsSpan(5));
        return framed;
    }

    private static byte[]? Unframe(byte[] payload)
    {
        if (payload.Length < 5 || payload[0] != 0)
        {
            return null;
        }

        var size = BinaryPrimitives.ReadUInt32BigEndian(payload.AsSpan(1));
        return size > payload.Length - 5 ? null : payload.AsSpan(5, (int)size).ToArray();
    }

    /// <summary>The call's grpc-status: in the trailers, or in the headers of a trailers-only answer.</summary>
    private static string? GrpcStatus(HttpResponseMessage response) =>
        response.TrailingHeaders.TryGetValues("grpc-status", out var trailing) ? trailing.FirstOrDefault()
        : response.Headers.TryGetValues("grpc-status", out var leading) ? leading.FirstOrDefault()
        : null;
}
