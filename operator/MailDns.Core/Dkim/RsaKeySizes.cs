namespace MailDns.Core.Dkim;

/// <summary>
/// The RSA modulus sizes the product generates: 1024 to 4096 bits (RFC 8301: verifiers must handle that range) in
/// steps of 8, as the platform's generator needs whole bytes. One rule for the CRD (minimum, maximum, multipleOf),
/// the validator, <c>maildns keygen</c> and the generator.
/// </summary>
public static class RsaKeySizes
{
    public const int Min = 1024;
    public const int Max = 4096;
    public const int Step = 8;
    public const int Recommended = 2048;

    public static bool IsSupported(int bits) => bits is >= Min and <= Max && bits % Step == 0;

    /// <summary>Why a size is refused, or null.</summary>
    public static string? Problem(int bits) =>
        IsSupported(bits) ? null : $"{bits} bits is not supported: RSA keys are {Min} to {Max} bits in steps of {Step} (RFC 8301)";
}
