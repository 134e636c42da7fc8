using k8s;
using k8s.Models;
using MailDns.TestApiServer;

namespace MailDns.Testing;

/// <summary>The test API server (tests/TestApiServer, a stand-in for kube-apiserver) with the project's CRDs installed.</summary>
public sealed class ApiServer : IAsyncDisposable
{
    private ApiServer(ApiServerHost host, k8s.Kubernetes client)
    {
        Host = host;
        Client = client;
    }

    public ApiServerHost Host { get; }

    public k8s.Kubernetes Client { get; }

    public static async Task<ApiServer> StartAsync(int historyCapacity = 1000)
    {
        var host = await ApiServerHost.StartAsync(historyCapacity: historyCapacity);
        var client = new k8s.Kubernetes(new KubernetesClientConfiguration { Host = host.BaseAddress.ToString() });
        foreach (var file in Directory.GetFiles(Repo.PathOf("crds"), "*.yaml"))
        {
            await client.ApiextensionsV1.CreateCustomResourceDefinitionAsync(
                KubernetesYaml.Deserialize<V1CustomResourceDefinition>(await File.ReadAllTextAsync(file))
            );
        }

        return new ApiServer(host, client);
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await Host.DisposeAsync();
    }
}
