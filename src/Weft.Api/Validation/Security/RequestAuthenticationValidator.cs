using System.Text.RegularExpressions;
using Weft.Api.GoCompat;
using Weft.Api.Model.Security;
using Weft.Api.Validation.Rules;

namespace Weft.Api.Validation.Security;

/// <summary>Istio's semantic rules for RequestAuthentication: attachment, and each JWT rule.</summary>
internal sealed partial class RequestAuthenticationValidator : ISpecValidator
{
    public string Kind => "RequestAuthentication";

    /// <summary>Istio's "strict" header names for claim-to-header output.</summary>
    [GeneratedRegex("^[-_A-Za-z0-9]+$")]
    private static partial Regex StrictHeaderName();

    public void Validate(ValidationContext context)
    {
        var spec = context.Resource.Spec as RequestAuthenticationSpec ?? new RequestAuthenticationSpec();
        SelectorRules.ValidateAttachment(context, spec.Selector, spec.TargetRef, spec.TargetRefs);

        if (spec.JwtRules is { } rules)
        {
            for (var i = 0; i < rules.Count; i++)
            {
                ValidateJwtRule(context, $"spec.jwtRules[{i}]", rules[i]);
            }
        }
    }

    private static void ValidateJwtRule(ValidationContext context, string path, JWTRule rule)
    {
        if (rule.Audiences is { } audiences)
        {
            for (var i = 0; i < audiences.Count; i++)
            {
                if (audiences[i].Length == 0)
                {
                    context.Error($"{path}.audiences[{i}]", "audience must be non-empty string");
                }
            }
        }

        // jwks_uri is the protobuf name of jwksUri; Istio reads either spelling into the same field.
        var jwksUriField = rule.JwksUri is not null ? "jwksUri" : "jwks_uri";
        var jwksUri = rule.JwksUri ?? rule.Jwks_uri ?? string.Empty;
        if (string.IsNullOrEmpty(rule.Issuer) && jwksUri.Length == 0)
        {
            context.Error(path, "issuer or jwksUri must be non-empty string");
        }

        if (jwksUri.Length != 0 && ParseJwksUri(jwksUri) is { } uriError)
        {
            context.Error($"{path}.{jwksUriField}", uriError);
        }

        if (!string.IsNullOrEmpty(rule.Jwks))
        {
            var jwks = Jwks.Parse(rule.Jwks);
            if (jwks.Error is not null)
            {
                context.Error(path + ".jwks", "jwks parse error: " + jwks.Error);
            }
            else
            {
                for (var i = 0; i < jwks.PrivateKeys.Count; i++)
                {
                    if (jwks.PrivateKeys[i])
                    {
                        context.Warning(path + ".jwks", $"jwks key at index {i} contains private key material; only public keys are used for verification");
                    }
                }
            }
        }

        if (rule.FromHeaders is { } headers)
        {
            for (var i = 0; i < headers.Count; i++)
            {
                if (string.IsNullOrEmpty(headers[i].Name))
                {
                    context.Error($"{path}.fromHeaders[{i}].name", "location header name must be non-empty string");
                }
            }
        }

        if (rule.FromParams is { } parameters)
        {
            for (var i = 0; i < parameters.Count; i++)
            {
                if (parameters[i].Length == 0)
                {
                    context.Error($"{path}.fromParams[{i}]", "location query must be non-empty string");
                }
            }
        }

        if (rule.FromCookies is { } cookies)
        {
            for (var i = 0; i < cookies.Count; i++)
            {
                if (cookies[i].Length == 0)
                {
                    context.Error($"{path}.fromCookies[{i}]", "cookie name must be non-empty string");
                }
            }
        }

        if (rule.OutputClaimToHeaders is { } outputs)
        {
            for (var i = 0; i < outputs.Count; i++)
            {
                var output = outputs[i];
                var outputPath = $"{path}.outputClaimToHeaders[{i}]";
                if (string.IsNullOrEmpty(output.Claim) || string.IsNullOrEmpty(output.Header))
                {
                    context.Error(outputPath, "outputClaimToHeaders header and claim value must be non-empty string");
                    continue;
                }

                if (!StrictHeaderName().IsMatch(output.Header))
                {
                    context.Error(outputPath + ".header", $"header name {output.Header} is not a valid header name");
                }
            }
        }

        if (rule.Timeout is { } timeout)
        {
            if (!GoDuration.TryParse(timeout, out var nanos, out _))
            {
                context.Error(path + ".timeout", $"invalid duration {GoStrconv.Quote(timeout)}");
            }
            else if (Durations.ValidateNanoseconds(nanos) is { } durationError)
            {
                context.Error(path + ".timeout", durationError);
            }
        }
    }

    /// <summary>
    /// Istio's <c>ParseJwksURI</c>: Go's <c>url.Parse</c> must accept it, the scheme must be http or https, and a
    /// port, when given, must be a number.
    /// </summary>
    private static string? ParseJwksUri(string uri)
    {
        var url = GoUrl.Parse(uri, out var error);
        if (url is null)
        {
            return error;
        }

        if (url.Scheme is not ("http" or "https"))
        {
            return $"URI scheme {GoStrconv.Quote(url.Scheme)} is not supported";
        }

        var port = url.Port;
        return port.Length > 0 && GoStrconv.Atoi(port, out _) is { } portError ? portError : null;
    }
}
