using k8s;
using k8s.Models;

namespace MailDns.TestApiServer.Tests;

/// <summary>A fresh server per test, with the project's CRDs installed through the client like kubectl would.</summary>
public sealed class Server : IAsyncDisposable
{
    private Server(ApiServerHost host, Kubernetes client)
    {
        Host = host;
        Client = client;
    }

    public ApiServerHost Host { get; }

    public Kubernetes Client { get; }

    public GenericClient SendingDomains => new(Client, "maildns.io", "v1alpha1", "sendingdomains", disposeClient: false);

    public static async Task<Server> StartAsync(bool installCrds = true, int historyCapacity = 1000)
    {
        var host = await ApiServerHost.StartAsync(historyCapacity: historyCapacity);
        var client = new Kubernetes(new KubernetesClientConfiguration { Host = host.BaseAddress.ToString() });
        var server = new Server(host, client);
        if (installCrds)
        {
            foreach (var file in Directory.GetFiles(RepoRoot("crds"), "*.yaml"))
            {
                await client.ApiextensionsV1.CreateCustomResourceDefinitionAsync(
                    KubernetesYaml.Deserialize<V1CustomResourceDefinition>(await File.ReadAllTextAsync(file))
                );
            }
        }

        return server;
    }

    public static string RepoRoot(params string[] parts)
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "MailDnsOperator.sln")))
        {
            dir = dir.Parent;
        }

        return Path.Combine([dir!.FullName, .. parts]);
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await Host.DisposeAsync();
    }
}
