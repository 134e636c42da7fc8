using System.CommandLine;
using System.Text.Json;
using System.Text.Json.Serialization;
using MailDns.Core.Reputation;
using MailDns.Operator.Health;
using MailDns.Operator.Reputation;

namespace MailDns.Operator.Cli;

/// <summary>
/// <c>maildns reputation TARGET... [--list ZONE[:ip|:domain]]... [--resolver HOST:PORT] [--output text|json]</c>: asks
/// blocklists about addresses and domains, and checks each address's forward-confirmed reverse DNS. Exit 0 nothing listed
/// and every answer had, 1 something listed, 3 nothing listed but some answers refused or unknown, 2 usage. A Spamhaus DQS
/// key is read from $MAILDNS_SPAMHAUS_DQS_KEY (never from the command line, which other users of the machine can read).
/// </summary>
public static class ReputationCommand
{
    public const string DqsKeyVariable = "MAILDNS_SPAMHAUS_DQS_KEY";

    public static Command Create(Console2 console)
    {
        var targets = new Argument<string[]>("targets")
        {
            Arity = ArgumentArity.OneOrMore,
            Description = "IP addresses (IPv4 or IPv6) and domain names.",
        };
        var lists = new Option<string[]>("--list")
        {
            Description = "A list to ask, ZONE[:ip|:domain], repeatable; only these are asked (default: the built-in set).",
        };
        var resolvers = new Option<string[]>("--resolver")
        {
            Description = "A recursive resolver (IP or IP:port), repeatable; the system's resolvers when absent.",
        };
        var output = CommonOptions.Output();
        var command = new Command(
            "reputation",
            "Blocklist (DNSBL/URIBL) status and forward-confirmed reverse DNS of addresses and domains."
        )
        {
            targets,
            lists,
            resolvers,
            output,
        };
        command.SetAction(
            (p, token) =>
                RunAsync(
                    p.GetValue(targets)!,
                    p.GetValue(lists) ?? [],
                    p.GetValue(resolvers) ?? [],
                    p.GetValue(output) == "json",
                    console,
                    token
                )
        );
        return command;
    }

    public sealed record ResultJson(string List, string Status, IReadOnlyList<string> Codes, string Meaning, bool Allowlist);

    public sealed record TargetJson(string Target, string Kind, bool Listed, IReadOnlyList<ResultJson> Results, string? Fcrdns);

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        WriteIndented = true,
        DefaultIgnoreCondition = JsonIgnoreCondition.Never, // the contract's "fcrdns": null for a domain
    };

    public static async Task<int> RunAsync(
        IReadOnlyList<string> targetTexts,
        IReadOnlyList<string> listTexts,
        IReadOnlyList<string> resolverTexts,
        bool json,
        Console2 console,
        CancellationToken cancellationToken
    )
    {
        var targets = new List<string>();
        foreach (var text in targetTexts)
        {
            if (Targets.Invalid(text) is { } invalid)
            {
                console.Error.WriteLine($"maildns reputation: TARGET {invalid}");
                return ExitCodes.Usage;
            }

            targets.Add(Targets.Canonical(text));
        }

        var lists = new List<Blocklist>();
        foreach (var text in listTexts)
        {
            var (list, error) = BlocklistCatalog.Parse(text);
            if (list is null)
            {
                console.Error.WriteLine($"maildns reputation: --list {error}");
                return ExitCodes.Usage;
            }

            lists.Add(list);
        }

        if (CommonOptions.ParseNameservers(resolverTexts, "reputation", console, "--resolver") is not { } resolvers)
        {
            return ExitCodes.Usage;
        }

        if (DqsKey() is { } key && !BlocklistCatalog.IsValidDqsKey(key))
        {
            console.Error.WriteLine($"maildns reputation: ${DqsKeyVariable} must be letters and digits only");
            return ExitCodes.Usage;
        }

        var asked = BlocklistCatalog.WithDqsKey(lists.Count > 0 ? lists : BlocklistCatalog.BuiltIn, DqsKey());
        var dns = new DnsClientReputationDns(resolvers.Count > 0 ? resolvers : HealthTargetsResolver.SystemResolvers());
        var gatherer = new ReputationGatherer(new ReputationLookups(dns, TimeProvider.System, BudgetLimits.Default));
        var results = await gatherer.CheckAsync(targets.Distinct().ToList(), asked, reverseDns: true, cancellationToken);
        var view = results.Select(ToJson).ToList();
        if (json)
        {
            console.Out.WriteLine(JsonSerializer.Serialize(view, Json));
        }
        else
        {
            foreach (var target in view)
            {
                var fcrdns = target.Fcrdns is null ? "" : $", forward-confirmed reverse DNS {target.Fcrdns}";
                console.Out.WriteLine($"{target.Target} ({target.Kind}): {(target.Listed ? "LISTED" : "not listed")}{fcrdns}");
                foreach (var r in target.Results)
                {
                    var codes = r.Codes.Count > 0 ? $" [{string.Join(", ", r.Codes)}]" : "";
                    console.Out.WriteLine($"  {r.List}: {r.Status}{codes}: {r.Meaning}");
                }

                var reverse = results.First(t => t.Target == target.Target).Fcrdns;
                if (reverse is not null && reverse.Status != FcrdnsStatus.Pass)
                {
                    console.Out.WriteLine($"  reverse DNS: {reverse.Message}");
                }
            }
        }

        return results.Any(r => r.Listed) ? ExitCodes.Invalid
            : results.All(r => r.FullyAnswered) ? ExitCodes.Ok
            : ExitCodes.Incomplete;
    }

    /// <summary>The Spamhaus DQS key from the environment, or null; it only ever goes into query names.</summary>
    public static string? DqsKey() => Environment.GetEnvironmentVariable(DqsKeyVariable) is { Length: > 0 } key ? key.Trim() : null;

    private static TargetJson ToJson(TargetResult t) =>
        new(
            t.Target,
            ReputationView.Text(t.Kind),
            t.Listed,
            t.Results.Select(r => new ResultJson(r.List.Zone, ReputationView.Text(r.Status), r.Codes, r.Meaning, r.List.Allowlist))
                .ToList(),
            t.Fcrdns?.Status.ToString().ToLowerInvariant()
        );
}
