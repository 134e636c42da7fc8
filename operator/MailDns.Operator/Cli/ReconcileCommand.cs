using System.CommandLine;
using System.Text.Json.Nodes;
using k8s;
using MailDns.Core.Api;
using MailDns.Core.Dkim.Rotation;
using MailDns.Core.Findings;
using MailDns.Core.Readiness;
using MailDns.Operator.Dns;
using MailDns.Operator.Health;
using MailDns.Operator.IO;
using MailDns.Operator.Manifests;
using MailDns.Operator.Reconcile;

namespace MailDns.Operator.Cli;

/// <summary>
/// <c>maildns reconcile PATH... --state DIR</c>: the operator's reconciler over manifests on disk. Exit 0 when
/// every SendingDomain is Ready, 1 when one is not (its Ready condition says why), 2 for usage or I/O errors.
/// </summary>
public static class ReconcileCommand
{
    public static Command Create(Console2 console)
    {
        var paths = new Argument<string[]>("paths") { Arity = ArgumentArity.OneOrMore, Description = "Manifest files or directories." };
        var state = new Option<string>("--state")
        {
            Required = true,
            Description = "State directory: keys, zone files of relative zoneFile paths, and status. Reused by the next run.",
        };
        var nameservers = new Option<string[]>("--nameserver")
        {
            Description = "Verify against this server (IP or IP:port), repeatable; without it the zone file is the authority.",
        };
        var resolvers = new Option<string[]>("--resolver")
        {
            Description =
                "A resolver (IP or IP:port) through which the zone's authoritative servers are found to verify keys "
                + "published by Pulumi or RFC 2136, repeatable; the system's resolvers when absent.",
        };
        var prune = new Option<bool>("--prune")
        {
            Description =
                "Also finish SendingDomains that left the manifests, as deleting them from a cluster would: deletionPolicy "
                + "Delete removes the records they published and their keys; Retain keeps both.",
        };
        var now = new Option<string?>("--now")
        {
            Description = "Decide as if it were this time (ISO-8601, e.g. 2026-03-01T09:00:00Z): watch a rotation without waiting.",
        };
        var reports = new Option<string[]>("--reports")
        {
            AllowMultipleArgumentsPerToken = true,
            Description =
                "Report files or directories, added to the store in the state directory; DMARC rollouts then advance "
                + "on that evidence (spec.dmarc.rollout).",
        };
        var output = CommonOptions.Output();
        var command = new Command(
            "reconcile",
            "Reconcile SendingDomain manifests without a cluster: keys, rotation, publishing, verification, status."
        )
        {
            paths,
            state,
            nameservers,
            resolvers,
            prune,
            now,
            reports,
            output,
        };
        command.SetAction(
            (parse, token) =>
            {
                TimeProvider time = TimeProvider.System;
                if (parse.GetValue(now) is { } text)
                {
                    if (FixedClock.Parse(text) is not { } at)
                    {
                        console.Error.WriteLine($"maildns reconcile: --now '{text}' is not an ISO-8601 time such as 2026-03-01T09:00:00Z");
                        return Task.FromResult(ExitCodes.Usage);
                    }

                    time = new FixedClock(at);
                }

                return RunAsync(
                    parse.GetValue(paths)!,
                    parse.GetValue(state)!,
                    parse.GetValue(nameservers) ?? [],
                    parse.GetValue(output) == "json",
                    parse.GetValue(resolvers) ?? [],
                    time,
                    console,
                    token,
                    parse.GetValue(prune),
                    parse.GetValue(reports) ?? []
                );
            }
        );
        return command;
    }

    public static async Task<int> RunAsync(
        IReadOnlyList<string> paths,
        string stateDir,
        IReadOnlyList<string> nameservers,
        bool json,
        IReadOnlyList<string> resolverTexts,
        TimeProvider time,
        Console2 console,
        CancellationToken cancellationToken,
        bool prune = false,
        IReadOnlyList<string>? reportPaths = null
    )
    {
        if (string.IsNullOrWhiteSpace(stateDir))
        {
            console.Error.WriteLine("maildns reconcile: --state needs a directory");
            return ExitCodes.Usage;
        }

        if (
            CommonOptions.ParseNameservers(nameservers, "reconcile", console) is not { } endpoints
            || CommonOptions.ParseNameservers(resolverTexts, "reconcile", console, "--resolver") is not { } resolvers
        )
        {
            return ExitCodes.Usage;
        }

        IReadOnlyList<ManifestDocument> documents;
        IReadOnlyList<ValidatedDocument> validated;
        try
        {
            documents = ManifestLoader.Load(paths);
            validated = ManifestValidation.Default.Validate(documents);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            console.Error.WriteLine($"maildns reconcile: {e.Message}");
            return ExitCodes.Usage;
        }

        using var stateLock = StateLock.TryAcquire(stateDir);
        if (stateLock is null)
        {
            console.Error.WriteLine($"maildns reconcile: --state {stateDir} is in use by another run; wait for it to finish");
            return ExitCodes.Usage;
        }

        var resources = validated.Where(v => v.Valid).Select(v => v.Resource).OfType<IKubernetesObject>().ToList();
        var finder = new ResolverZoneServerFinder(resolvers.Count > 0 ? resolvers : HealthTargetsResolver.SystemResolvers());
        Reports.ReportStore? reports = null;
        if (reportPaths is { Count: > 0 })
        {
            // Kept in the state directory, so the evidence of earlier runs counts toward the window too.
            reports = new Reports.ReportStore(Reports.ReportDatabase.Parse(Path.Combine(Path.GetFullPath(stateDir), "reports.db")));
            await reports.MigrateAsync(cancellationToken);
            if (!RolloutCommand.Import(reports, reportPaths, time.GetUtcNow(), console, "reconcile"))
            {
                return ExitCodes.Usage;
            }
        }

        var reconciler = new StandaloneReconciler(Path.GetFullPath(stateDir), endpoints, time, finder, reports);
        var results = new List<SendingDomain>();
        foreach (var invalid in validated.Where(v => !v.Valid && v.Kind == SendingDomain.KindName))
        {
            // An invalid spec is reported like the operator does (InvalidSpec with the findings), and nothing is touched.
            var errors = invalid.Findings.Where(f => f.Severity == Severity.Error).ToList();
            var sd = new SendingDomain
            {
                Metadata = new k8s.Models.V1ObjectMeta { Name = invalid.Name, NamespaceProperty = invalid.Document.Namespace },
            };
            var decision = StatusPolicy.Decide(new ReadinessInput(1, time.GetUtcNow(), []) { SpecErrors = errors });
            sd.Status = new SendingDomainStatus { Conditions = decision.Conditions.ToList() };
            results.Add(sd);
        }

        foreach (var domain in resources.OfType<SendingDomain>().OrderBy(d => d.Key, StringComparer.Ordinal))
        {
            results.Add(await reconciler.ReconcileAsync(domain, resources, documents, cancellationToken));
            if (reconciler.UnknownCompromised.Count > 0)
            {
                console.Error.WriteLine($"maildns reconcile: {domain.Key}: {CompromisedSelectors.Message(reconciler.UnknownCompromised)}");
            }
        }

        var pruned = new List<PruneResult>();
        if (prune)
        {
            var current = resources.OfType<SendingDomain>().Select(d => d.Key).Concat(results.Select(r => r.Key)).ToHashSet();
            foreach (var key in StatusFile.Keys(Path.GetFullPath(stateDir)).Where(k => !current.Contains(k)))
            {
                pruned.Add(await reconciler.PruneAsync(key, resources, documents, cancellationToken));
            }
        }

        // The pruned domains are reported on stderr in JSON mode, so stdout stays the array of SendingDomains.
        var pruneReport = json ? console.Error : console.Out;
        foreach (var p in pruned)
        {
            pruneReport.WriteLine(
                p.Error is { } why ? $"{p.Key}: NOT PRUNED: {why}"
                : p.Policy == "Delete" ? $"{p.Key}: pruned: removed {p.Removed} record(s) it published and its keys (deletionPolicy Delete)"
                : $"{p.Key}: left the manifests; its records and keys are kept (deletionPolicy {p.Policy})"
            );
        }

        if (json)
        {
            console.Out.WriteLine(
                new JsonArray(results.Select(r => JsonNode.Parse(KubernetesJson.Serialize(r))).ToArray()).ToJsonString(JsonOutput.Options)
            );
        }
        else
        {
            foreach (var r in results)
            {
                var ready = r.Status?.Conditions?.FirstOrDefault(c => c.Type == ConditionTypes.Ready);
                console.Out.WriteLine(
                    $"{r.Key}: {(ready?.Status == ConditionStatus.True ? "Ready" : $"NOT READY ({ready?.Reason})")}: {ready?.Message}"
                );
                foreach (var key in r.Status?.Dkim?.Keys ?? [])
                {
                    console.Out.WriteLine($"  dkim {key.Selector} ({key.Algorithm}): {key.Phase}");
                }
            }
        }

        return
            pruned.All(p => p.Error is null)
            && (results.Count > 0 || pruned.Count > 0)
            && results.All(r => r.Status?.Conditions?.Any(c => c.Type == ConditionTypes.Ready && c.Status == ConditionStatus.True) == true)
            ? ExitCodes.Ok
            : ExitCodes.Invalid;
    }
}
