using System.Text.Json.Serialization;
using k8s;
using k8s.Models;
using MailDns.Core.Api;

namespace MailDns.Testing;

/// <summary>A SendingDomain LIST response, for the tests' reads through KubernetesClient's generic clients.</summary>
public sealed class SendingDomainList : IKubernetesObject<V1ListMeta>, IItems<SendingDomain>
{
    [JsonPropertyName("apiVersion")]
    public string ApiVersion { get; set; } = "";

    [JsonPropertyName("kind")]
    public string Kind { get; set; } = "";

    [JsonPropertyName("metadata")]
    public V1ListMeta Metadata { get; set; } = new();

    [JsonPropertyName("items")]
    public IList<SendingDomain> Items { get; set; } = [];
}
