using Weft.Xds.Envoy.Config.Rbac.V3;

namespace Weft.Control.Generators.Authorization;

/// <summary>
/// Turns the values of one AuthorizationPolicy attribute (a source or operation field, or a <c>when</c> key) into RBAC
/// matchers. Most attributes translate value by value, and the values are then OR-ed; attributes that
/// <see cref="Aggregates"/> see all values at once and return one matcher (JWT claims, request principals, Envoy
/// metadata). An attribute is either about the destination (a permission) or the source (a principal); asking for the
/// other side is an error, as is an HTTP-only attribute on a TCP chain.
/// </summary>
internal abstract class AttributeTranslator
{
    protected const string Unimplemented = "unimplemented";

    public virtual bool Aggregates => false;

    public virtual Translated<Permission> Permission(string key, string value, bool forTcp) => Translated<Permission>.Fail(Unimplemented);

    public virtual Translated<Principal> Principal(string key, string value, bool forTcp, bool useAuthenticated) => Translated<Principal>.Fail(Unimplemented);

    public virtual Translated<Permission> Permission(string key, IReadOnlyList<string> values, bool forTcp) => Translated<Permission>.Fail(Unimplemented);

    public virtual Translated<Principal> Principal(string key, IReadOnlyList<string> values, bool forTcp) => Translated<Principal>.Fail(Unimplemented);

    protected static string HttpOnly(string key) => $"\"{key}\" is HTTP only";
}
