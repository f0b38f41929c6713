using System.Collections.Concurrent;
using System.Collections.Frozen;
using System.Security.Cryptography.X509Certificates;
using Weft.Xds;

namespace Weft.Proxy.Identity;

/// <summary>
/// The secrets TLS contexts name, as Istio's agent serves them over SDS: <c>default</c> (the workload's certificate,
/// issued by the control plane's CA and rotated), <c>ROOTCA</c> (the mesh's trust bundle), and files the proxy reads
/// itself (<c>file-cert:CERT~KEY</c>, <c>file-root:CA</c>, <c>file-root:system</c> for the operating system's roots).
/// Secrets the control plane sends over ADS (credentialName's <c>kubernetes://NAME</c>) are held by name as the xDS
/// client accepted them. The workload's certificate and bundle, and the set of ADS secrets, are swapped whole; every
/// handshake reads the current ones, so a rotation reaches new connections at once and leaves open ones alone. File
/// secrets are read again when the file changes.
/// </summary>
internal sealed class SecretStore
{
    private const string FileCertPrefix = "file-cert:";
    private const string FileRootPrefix = "file-root:";
    private const string SystemRoots = "system";

    private readonly ConcurrentDictionary<string, (DateTime Stamp, object Value)> _files = new(StringComparer.Ordinal);
    private readonly TimeProvider _time;
    private volatile WorkloadCertificate? _workload;
    private volatile TrustBundle? _roots;
    private volatile FrozenDictionary<string, object> _dynamic = FrozenDictionary<string, object>.Empty;
    private readonly TaskCompletionSource _identityReady = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public SecretStore(TimeProvider time, bool identityExpected)
    {
        _time = time;
        IdentityExpected = identityExpected;
        if (!identityExpected)
        {
            _identityReady.TrySetResult();
        }
    }

    /// <summary>Whether this proxy gets a workload certificate (secure mode); without one Istio mTLS is not possible.</summary>
    public bool IdentityExpected { get; }

    public WorkloadCertificate? Workload => _workload;

    /// <summary>False only while a proxy that expects a workload certificate has none yet.</summary>
    public bool HasIdentity => !IdentityExpected || _workload is not null;

    /// <summary>Completes once <see cref="HasIdentity"/>.</summary>
    public Task IdentityReady => _identityReady.Task;

    public TrustBundle? Roots => _roots;

    /// <summary>Raised after <c>default</c> or <c>ROOTCA</c> changed.</summary>
    public event Action? Changed;

    public void SetWorkload(WorkloadCertificate certificate)
    {
        _workload = certificate;
        _identityReady.TrySetResult();
        Changed?.Invoke();
    }

    public void SetRoots(TrustBundle roots)
    {
        _roots = roots;
        Changed?.Invoke();
    }

    /// <summary>
    /// Replaces the secrets received over ADS (each a <see cref="WorkloadCertificate"/> or a <see cref="TrustBundle"/>);
    /// handshakes from now on use these.
    /// </summary>
    public void SetDynamic(FrozenDictionary<string, object> secrets) => _dynamic = secrets;

    /// <summary>The secrets received over ADS, by name.</summary>
    public FrozenDictionary<string, object> Dynamic => _dynamic;

    /// <summary>A certificate with its key by secret name; throws <see cref="SecretUnavailableException"/> saying why not.</summary>
    public WorkloadCertificate Certificate(string name)
    {
        if (name == ResourceNames.DefaultSecret)
        {
            return _workload ?? throw new SecretUnavailableException(IdentityExpected
                ? "the workload certificate (secret default) has not been issued yet"
                : "this proxy has no workload certificate (secret default): run it with --secure-xds-address and --root-cert to get one from the control plane's CA");
        }

        if (name.StartsWith(FileCertPrefix, StringComparison.Ordinal))
        {
            var files = name[FileCertPrefix.Length..];
            var tilde = files.IndexOf('~', StringComparison.Ordinal);
            if (tilde <= 0 || tilde == files.Length - 1)
            {
                throw new SecretUnavailableException($"secret {name} is not file-cert:CERT~KEY");
            }

            var (certPath, keyPath) = (files[..tilde], files[(tilde + 1)..]);
            return (WorkloadCertificate)FromFile(name, certPath, () =>
            {
                return WorkloadCertificate.FromPem(File.ReadAllText(certPath), File.ReadAllText(keyPath), _time.GetUtcNow());
            });
        }

        return _dynamic.TryGetValue(name, out var received) switch
        {
            true when received is WorkloadCertificate certificate => certificate,
            true => throw new SecretUnavailableException($"secret {name} from the control plane holds no certificate and key (tls_certificate)"),
            false => throw new SecretUnavailableException($"secret {name} has not been received from the control plane (SDS)"),
        };
    }

    /// <summary>
    /// A trust bundle by secret name, null for the operating system's roots (<c>file-root:system</c>); throws
    /// <see cref="SecretUnavailableException"/> saying why not.
    /// </summary>
    public TrustBundle? Trust(string name)
    {
        if (name == ResourceNames.RootCaSecret)
        {
            return _roots ?? throw new SecretUnavailableException(IdentityExpected
                ? "the trust bundle (secret ROOTCA) is not there yet"
                : "this proxy has no mesh trust bundle (secret ROOTCA): run it with --secure-xds-address and --root-cert");
        }

        if (name.StartsWith(FileRootPrefix, StringComparison.Ordinal))
        {
            var path = name[FileRootPrefix.Length..];
            if (path == SystemRoots)
            {
                return null;
            }

            return (TrustBundle)FromFile(name, path, () => TrustBundle.FromPem(File.ReadAllText(path), path, _time.GetUtcNow()));
        }

        return _dynamic.TryGetValue(name, out var received) switch
        {
            true when received is TrustBundle bundle => bundle,
            true => throw new SecretUnavailableException($"secret {name} from the control plane holds no trusted CA (validation_context)"),
            false => throw new SecretUnavailableException($"secret {name} has not been received from the control plane (SDS)"),
        };
    }

    /// <summary>
    /// Null when the store can serve a secret of this name itself (<c>default</c>, <c>ROOTCA</c>, <c>file-cert:</c>,
    /// <c>file-root:</c>); otherwise why not: any other secret must come from the control plane over ADS.
    /// </summary>
    public static string? CannotServe(string name) =>
        name is ResourceNames.DefaultSecret or ResourceNames.RootCaSecret
        || name.StartsWith(FileCertPrefix, StringComparison.Ordinal)
        || name.StartsWith(FileRootPrefix, StringComparison.Ordinal)
            ? null
            : $"secret {name} is not one this proxy serves itself (default, ROOTCA, file-cert:, file-root:) and its sds_config is not ADS, the only SDS source it fetches from";

    /// <summary>Every secret held, for <c>/config_dump</c>: the workload's two, the files read so far and those received over ADS.</summary>
    public IEnumerable<(string Name, object Secret)> All()
    {
        if (_workload is { } workload)
        {
            yield return (ResourceNames.DefaultSecret, workload);
        }

        if (_roots is { } roots)
        {
            yield return (ResourceNames.RootCaSecret, roots);
        }

        foreach (var (name, entry) in _files.OrderBy(f => f.Key, StringComparer.Ordinal))
        {
            yield return (name, entry.Value);
        }

        foreach (var (name, secret) in _dynamic.OrderBy(f => f.Key, StringComparer.Ordinal))
        {
            yield return (name, secret);
        }
    }

    private object FromFile(string name, string path, Func<object> load)
    {
        DateTime stamp;
        try
        {
            stamp = File.GetLastWriteTimeUtc(path);
            if (_files.TryGetValue(name, out var cached) && cached.Stamp == stamp)
            {
                return cached.Value;
            }

            var value = load();
            _files[name] = (stamp, value);
            return value;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException or ArgumentException or System.Security.Cryptography.CryptographicException)
        {
            throw new SecretUnavailableException($"secret {name}: cannot read {path}: {e.Message}");
        }
    }
}
