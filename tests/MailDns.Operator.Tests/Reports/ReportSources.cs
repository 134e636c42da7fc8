using k8s;
using k8s.Models;
using MailDns.Core.Api;
using MailDns.Testing;

namespace MailDns.Operator.Tests.Reports;

/// <summary>A ReportSource in namespace mail and the Secret with its mailbox's user name and password, as a user applies them.</summary>
internal static class ReportSources
{
    public static GenericClient Client(ApiServer api) =>
        new(api.Client, ApiGroup.Name, ApiGroup.Version, ReportSource.Plural, disposeClient: false);

    public static async Task CreateAsync(ApiServer api, string name, ImapSourceSpec imap, string user, string password)
    {
        await api.Client.CoreV1.CreateNamespacedSecretAsync(
            new V1Secret
            {
                Metadata = new V1ObjectMeta { Name = $"{name}-imap" },
                StringData = new Dictionary<string, string> { ["username"] = user, ["password"] = password },
            },
            "mail"
        );
        imap.CredentialsSecretRef = new MailboxCredentialsRef { Name = $"{name}-imap" };
        var source = new ReportSource
        {
            Metadata = new V1ObjectMeta { Name = name, NamespaceProperty = "mail" },
            Spec = new() { Imap = imap },
        };
        await Client(api).CreateNamespacedAsync(source, "mail");
    }
}
