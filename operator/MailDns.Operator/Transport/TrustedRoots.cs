using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace MailDns.Operator.Transport;

/// <summary>Extra trusted roots from a PEM file (`--ca-file`: a private PKI, tests), for the SMTP probes and the policy fetch.</summary>
public static class TrustedRoots
{
    /// <summary>The roots in the file, none for no file, or why the file cannot be read.</summary>
    public static (X509Certificate2Collection? Roots, string? Error) Load(string? path)
    {
        if (path is null)
        {
            return (null, null);
        }

        try
        {
            X509Certificate2Collection roots = [];
            roots.ImportFromPemFile(path);
            return (roots, null);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or CryptographicException)
        {
            return (null, $"--ca-file {path}: {e.Message}");
        }
    }
}
