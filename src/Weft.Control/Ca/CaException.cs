namespace Weft.Control.Ca;

/// <summary>
/// The CA cannot be loaded or created. The message is a sentence for the operator that names the file and says what is
/// wrong with it (unreadable, not PEM, key and certificate that do not belong together, expired, missing).
/// </summary>
public sealed class CaException(string message, Exception? inner = null) : Exception(message, inner);
