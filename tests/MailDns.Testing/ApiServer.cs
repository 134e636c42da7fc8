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

    /// <summary>The real kubectl against this server (no kubeconfig of the machine's), as a user runs it.</summary>
    public (int Exit, string Output) Kubectl(params string[] args) =>
        Tool.Run("kubectl", ["--kubeconfig", "/dev/null", "--server", Host.BaseAddress.ToString(), .. args]);

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await Host.DisposeAsync();
    }
}
