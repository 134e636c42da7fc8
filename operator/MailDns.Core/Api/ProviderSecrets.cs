namespace MailDns.Core.Api;

/// <summary>The Secrets a provider reads, as namespace/name keys, so a change to one of them can requeue its users.</summary>
public static class ProviderSecrets
{
    /// <summary>References without a namespace point to <c>defaultNamespace</c>, the SendingDomain's.</summary>
    public static IEnumerable<string> Referenced(DnsProviderSpec provider, string defaultNamespace)
    {
        if (provider.Rfc2136?.TsigSecretRef is { } tsig)
        {
            yield return $"{tsig.Namespace ?? defaultNamespace}/{tsig.Name}";
        }

        if (provider.Pulumi?.CredentialsSecretRef is { } credentials)
        {
            yield return $"{credentials.Namespace ?? defaultNamespace}/{credentials.Name}";
        }

        if (provider.Pulumi?.PassphraseSecretRef is { } passphrase)
        {
            yield return $"{passphrase.Namespace ?? defaultNamespace}/{passphrase.Name}";
        }
    }
}
