using System.CommandLine;
using System.Globalization;
using System.Text.Json.Nodes;
using k8s;
using k8s.Autorest;
using k8s.Models;
using MailDns.Core.Api;
using MailDns.Core.Dkim;

namespace MailDns.Operator.Cli.Kubectl;

/// <summary>
/// <c>maildns kubectl ...</c>, which the <c>kubectl-maildns</c> script on PATH runs, so that <c>kubectl maildns status</c>
/// works (kubectl finds plugins by name on PATH). status, inspect, rotate, revoke and check, each a read or a merge patch
/// of a SendingDomain; the operator does the work and says so in status and events.
/// </summary>
public static class KubectlPluginCommand
{
    private const string Plural = "sendingdomains";

    public static Command Create(Console2 console)
    {
        var plugin = new Command("kubectl", "kubectl maildns: status, inspect, rotate, revoke and check SendingDomains in a cluster.");
        plugin.Subcommands.Add(Status(console));
        plugin.Subcommands.Add(Inspect(console));
        plugin.Subcommands.Add(Rotate(console));
        plugin.Subcommands.Add(Revoke(console));
        plugin.Subcommands.Add(Check(console));
        return plugin;
    }

    private static Argument<string> Name() => new("name") { Description = "The SendingDomain." };

    private static Command Status(Console2 console)
    {
        var connection = new PluginConnection();
        var name = new Argument<string?>("name") { Arity = ArgumentArity.ZeroOrOne, Description = "One SendingDomain (default: all)." };
        var all = new Option<bool>("--all-namespaces", "-A") { Description = "Every namespace." };
        var command = new Command("status", "One line per SendingDomain: Ready, Healthy, selectors, next rotation, DMARC, reputation.")
        {
            name,
            all,
        };
        connection.AddTo(command);
        command.SetAction((parse, token) => RunAsync(console, async () =>
                {
                    var (client, ns) = connection.Connect(parse);
                    var everywhere = parse.GetValue(all);
                    IEnumerable<SendingDomain> domains;
                    if (parse.GetValue(name) is { } one)
                    {
                        domains = [await ReadAsync(client, ns, one, token)];
                    }
                    else
                    {
                        var list = everywhere
                            ? await client.CustomObjects.ListClusterCustomObjectAsync<DomainList>(
                                ApiGroup.Name,
                                ApiGroup.Version,
                                Plural,
                                cancellationToken: token
                            )
                            : await client.CustomObjects.ListNamespacedCustomObjectAsync<DomainList>(
                                ApiGroup.Name,
                                ApiGroup.Version,
                                ns,
                                Plural,
                                cancellationToken: token
                            );
                        domains = list.Items;
                    }

                    foreach (var line in DomainViews.StatusTable(domains, everywhere))
                    {
                        console.Out.WriteLine(line);
                    }

                    return ExitCodes.Ok;
                }));
        return command;
    }

    private static Command Inspect(Console2 console)
    {
        var connection = new PluginConnection();
        var name = Name();
        var command = new Command("inspect", "Keys and phases, records published, last checks, reputation and recent events.") { name };
        connection.AddTo(command);
        command.SetAction((parse, token) => RunAsync(console, async () =>
                {
                    var (client, ns) = connection.Connect(parse);
                    var sd = await ReadAsync(client, ns, parse.GetValue(name)!, token);
                    // Filtered here: field selectors on events.k8s.io differ between API server versions.
                    var events = await client.EventsV1.ListNamespacedEventAsync(ns, cancellationToken: token);
                    var about = events.Items.Where(e =>
                        e.Regarding?.Name == sd.Metadata.Name && e.Regarding?.Kind == SendingDomain.KindName
                    );
                    foreach (var line in DomainViews.Inspect(sd, about))
                    {
                        console.Out.WriteLine(line);
                    }

                    return ExitCodes.Ok;
                }));
        return command;
    }

    private static Command Rotate(Console2 console)
    {
        var connection = new PluginConnection();
        var name = Name();
        var series = new Option<string?>("--series")
        {
            Description = "Rotate only this series: its algorithm (rsa-sha256, ed25519-sha256) or its selectorPrefix.",
        };
        var command = new Command("rotate", "Rotate the DKIM keys now (sets spec.dkim.rotateRequestedAt).") { name, series };
        connection.AddTo(command);
        command.SetAction((parse, token) => RunAsync(console, async () =>
                {
                    var (client, ns) = connection.Connect(parse);
                    var sd = await ReadAsync(client, ns, parse.GetValue(name)!, token);
                    if (sd.Spec.Dkim is null)
                    {
                        console.Error.WriteLine(
                            $"kubectl maildns rotate: {ns}/{sd.Metadata.Name}: spec.dkim is not set: no keys to rotate"
                        );
                        return ExitCodes.Invalid;
                    }

                    var only = parse.GetValue(series);
                    var known = Core.Dkim.Rotation.RotationSettings.From(sd.Spec.Dkim).Series;
                    if (only is not null && !known.Any(s => s.Prefix == only || s.Algorithm.ToText() == only))
                    {
                        var names = string.Join(", ", known.Select(s => $"{s.Algorithm.ToText()} ({s.Prefix})"));
                        console.Error.WriteLine($"kubectl maildns rotate: --series {only}: the domain's series are {names}");
                        return ExitCodes.Usage;
                    }

                    var now = DateTimeOffset.UtcNow.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture);
                    var dkim = new JsonObject
                    {
                        ["rotateRequestedAt"] = now,
                        // null removes an earlier restriction: without --series every series rotates
                        ["rotateRequestedSeries"] = only is null ? null : new JsonArray(only),
                    };
                    await PatchAsync(client, ns, sd.Metadata.Name, new JsonObject { ["spec"] = new JsonObject { ["dkim"] = dkim } }, token);
                    var which = only is null ? "" : $" for series {only}";
                    console.Out.WriteLine($"sendingdomain.maildns.io/{sd.Metadata.Name} rotation requested at {now}{which}");
                    return ExitCodes.Ok;
                }));
        return command;
    }

    private static Command Revoke(Console2 console)
    {
        var connection = new PluginConnection();
        var name = Name();
        var selector = new Argument<string>("selector") { Description = "The DKIM selector whose key leaked." };
        var yes = new Option<bool>("--yes", "-y") { Description = "Do not ask for confirmation." };
        var command = new Command("revoke", "Revoke a compromised DKIM key (adds it to spec.dkim.compromisedSelectors).")
        {
            name,
            selector,
            yes,
        };
        connection.AddTo(command);
        command.SetAction((parse, token) => RunAsync(console, async () =>
                {
                    var (client, ns) = connection.Connect(parse);
                    var sd = await ReadAsync(client, ns, parse.GetValue(name)!, token);
                    var target = parse.GetValue(selector)!;
                    var compromised = sd.Spec.Dkim?.CompromisedSelectors ?? [];
                    if (compromised.Contains(target))
                    {
                        console.Out.WriteLine($"sendingdomain.maildns.io/{sd.Metadata.Name}: {target} is already revoked");
                        return ExitCodes.Ok;
                    }

                    var known = sd.Status?.Dkim?.Keys?.Any(k => k.Selector == target) == true;
                    var warning = known ? "" : " (no key of this domain has that selector)";
                    if (
                        !parse.GetValue(yes)
                        && !Confirm(
                            console,
                            $"Revoke DKIM selector {target} of {sd.Spec.Domain}{warning}? Mail it signed fails DKIM at once. [y/N] "
                        )
                    )
                    {
                        console.Error.WriteLine("kubectl maildns revoke: not confirmed; nothing changed (--yes skips the question)");
                        return ExitCodes.Invalid;
                    }

                    if (!known)
                    {
                        console.Error.WriteLine(
                            $"kubectl maildns revoke: warning: no key of {sd.Spec.Domain} has selector {target}; it is listed anyway"
                        );
                    }

                    var list = new JsonArray([.. compromised.Append(target).Select(s => (JsonNode)s!)]);
                    await PatchAsync(
                        client,
                        ns,
                        sd.Metadata.Name,
                        new JsonObject { ["spec"] = new JsonObject { ["dkim"] = new JsonObject { ["compromisedSelectors"] = list } } },
                        token
                    );
                    console.Out.WriteLine($"sendingdomain.maildns.io/{sd.Metadata.Name} selector {target} revoked");
                    return ExitCodes.Ok;
                }));
        return command;
    }

    private static Command Check(Console2 console)
    {
        var connection = new PluginConnection();
        var name = Name();
        var command = new Command("check", "Run the health and reputation checks now (sets the maildns.io/check-requested-at annotation).")
        {
            name,
        };
        connection.AddTo(command);
        command.SetAction((parse, token) => RunAsync(console, async () =>
                {
                    var (client, ns) = connection.Connect(parse);
                    var sd = await ReadAsync(client, ns, parse.GetValue(name)!, token);
                    var now = DateTimeOffset.UtcNow.ToString("yyyy-MM-ddTHH:mm:ss.fffZ", CultureInfo.InvariantCulture);
                    var annotations = new JsonObject { [Annotations.CheckRequestedAt] = now };
                    await PatchAsync(
                        client,
                        ns,
                        sd.Metadata.Name,
                        new JsonObject { ["metadata"] = new JsonObject { ["annotations"] = annotations } },
                        token
                    );
                    console.Out.WriteLine($"sendingdomain.maildns.io/{sd.Metadata.Name} check requested at {now}");
                    return ExitCodes.Ok;
                }));
        return command;
    }

    /// <summary>The items of a list response (the API's SendingDomainList).</summary>
    private sealed class DomainList
    {
        [System.Text.Json.Serialization.JsonPropertyName("items")]
        public List<SendingDomain> Items { get; set; } = [];
    }

    private static bool Confirm(Console2 console, string question)
    {
        console.Out.Write(question);
        console.Out.Flush();
        var answer = console.In?.ReadLine()?.Trim();
        return answer is "y" or "Y" or "yes";
    }

    private static async Task<SendingDomain> ReadAsync(IKubernetes client, string ns, string name, CancellationToken token) =>
        await client.CustomObjects.GetNamespacedCustomObjectAsync<SendingDomain>(ApiGroup.Name, ApiGroup.Version, ns, Plural, name, token);

    private static Task PatchAsync(IKubernetes client, string ns, string name, JsonObject patch, CancellationToken token) =>
        client.CustomObjects.PatchNamespacedCustomObjectAsync(
            new V1Patch(patch.ToJsonString(), V1Patch.PatchType.MergePatch),
            ApiGroup.Name,
            ApiGroup.Version,
            ns,
            Plural,
            name,
            cancellationToken: token
        );

    /// <summary>An API error as kubectl says it (NotFound, Forbidden, unreachable), in one line, exit 1; never a trace.</summary>
    private static async Task<int> RunAsync(Console2 console, Func<Task<int>> run)
    {
        try
        {
            return await run();
        }
        catch (HttpOperationException e)
        {
            var message = JsonNode.Parse(e.Response.Content ?? "{}")?["message"]?.GetValue<string>() ?? e.Response.ReasonPhrase;
            console.Error.WriteLine($"Error from server ({e.Response.StatusCode}): {message}");
            return ExitCodes.Invalid;
        }
        catch (HttpRequestException e)
        {
            console.Error.WriteLine($"kubectl maildns: the API server could not be reached: {e.Message}");
            return ExitCodes.Usage;
        }
        catch (Exception e) when (e is k8s.Exceptions.KubeConfigException or FileNotFoundException)
        {
            console.Error.WriteLine($"kubectl maildns: {e.Message}");
            return ExitCodes.Usage;
        }
    }
}
