using k8s;
using k8s.Models;

namespace MailDns.Operator.Kubernetes;

/// <summary>Writes events.k8s.io/v1 Events about the operator's objects, with the message cut to the API's limit.</summary>
public sealed class EventRecorder(IKubernetes client, TimeProvider time)
{
    public const string Normal = "Normal";
    public const string Warning = "Warning";
    private const int NoteLimit = 1024;

    public async Task RecordAsync(
        IKubernetesObject<V1ObjectMeta> regarding,
        string type,
        string reason,
        string message,
        CancellationToken cancellationToken
    )
    {
        var ev = new Eventsv1Event
        {
            Metadata = new V1ObjectMeta { GenerateName = regarding.Metadata.Name + ".", NamespaceProperty = EventNamespace(regarding) },
            EventTime = time.GetUtcNow().UtcDateTime,
            ReportingController = "maildns.io/operator",
            ReportingInstance = Environment.MachineName,
            Action = "Reconcile",
            Reason = reason,
            Note = message.Length > NoteLimit ? message[..(NoteLimit - 3)] + "..." : message,
            Type = type,
            Regarding = new V1ObjectReference
            {
                ApiVersion = regarding.ApiVersion,
                Kind = regarding.Kind,
                Name = regarding.Metadata.Name,
                NamespaceProperty = regarding.Metadata.NamespaceProperty,
                Uid = regarding.Metadata.Uid,
            },
        };
        await client
            .EventsV1.CreateNamespacedEventAsync(ev, ev.Metadata.NamespaceProperty, cancellationToken: cancellationToken)
            .ConfigureAwait(false);
    }

    /// <summary>Events about cluster-scoped objects live in the default namespace, as kube-apiserver's own do.</summary>
    private static string EventNamespace(IKubernetesObject<V1ObjectMeta> regarding) =>
        regarding.Metadata.NamespaceProperty is { Length: > 0 } ns ? ns : "default";
}
