using System.CommandLine;
using MailDns.Core.Api;
using MailDns.Core.Findings;
using MailDns.Core.Names;
using MailDns.Core.Publishing.Pulumi;
using MailDns.Core.Records;
using MailDns.Operator.IO;
using MailDns.Operator.Manifests;

namespace MailDns.Operator.Cli;

/// <summary>
/// <c>maildns render PATH... --out DIR</c>: the records the manifests ask for, as records.json and one zone-file
/// fragment per zone. DKIM records exist only once keys do (the reconcile loop makes them), so a manifest alone
/// renders SPF, DMARC, MTA-STS, TLS-RPT and BIMI.
/// </summary>
public static class RenderCommand
{
    public static Command Create(Console2 console)
    {
        var paths = new Argument<string[]>("paths") { Arity = ArgumentArity.OneOrMore, Description = "Manifest files or directories." };
        var outDir = new Option<string>("--out") { Required = true, Description = "Output directory: records.json and zones/<zone>.zone." };
        var command = new Command("render", "Render the records the manifests describe to records.json and zone-file fragments.")
        {
            paths,
            outDir,
        };
        command.SetAction(parse => Run(parse.GetValue(paths)!, parse.GetValue(outDir)!, console));
        return command;
    }

    public sealed record RecordJson(
        string Zone,
        string Name,
        string Type,
        int Ttl,
        string Value,
        IReadOnlyList<string> Strings,
        string Owner,
        string Purpose
    );

    public static int Run(IReadOnlyList<string> paths, string outDir, Console2 console)
    {
        IReadOnlyList<ValidatedDocument> results;
        try
        {
            results = ManifestValidation.Default.Validate(ManifestLoader.Load(paths));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            console.Error.WriteLine($"maildns render: {e.Message}");
            return ExitCodes.Usage;
        }

        var resources = results.Select(r => r.Resource).OfType<k8s.IKubernetesObject>().ToList();
        var errors = results
            .Where(r => !r.Valid)
            .SelectMany(r => r.Findings.Where(f => f.Severity == Severity.Error).Select(f => (r, f)))
            .ToList();
        var byZone = new SortedDictionary<string, List<DesiredRecord>>(StringComparer.Ordinal);
        var stacks = new SortedDictionary<string, PulumiStack>(StringComparer.Ordinal);
        foreach (var sd in resources.OfType<SendingDomain>())
        {
            var provider = ManifestValidation.ResolveProvider(sd, resources);
            if (provider is null)
            {
                console.Error.WriteLine(
                    $"maildns render: SendingDomain {sd.Key}: provider '{sd.Spec.ProviderRef.Name}' is not among the manifests; render "
                        + $"needs it to know the zone"
                );
                return ExitCodes.Invalid;
            }

            var zone = DomainName.Normalize(provider.Zone);
            if (!byZone.TryGetValue(zone, out var list))
            {
                byZone[zone] = list = [];
            }

            var synthesized = RecordSynthesis.Synthesize(sd, []);
            list.AddRange(synthesized);
            if (provider.Pulumi is { } pulumi)
            {
                var stackName = PulumiStack.NameFor(sd, provider);
                if (!stacks.TryGetValue(stackName, out var stack))
                {
                    stacks[stackName] = stack = new PulumiStack(
                        stackName,
                        pulumi.Package,
                        provider.Zone,
                        new Dictionary<string, string>(pulumi.Config ?? new Dictionary<string, string>(), StringComparer.Ordinal),
                        []
                    );
                }

                stacks[stackName] = stack with { Records = [.. stack.Records, .. synthesized] };
            }
        }

        if (errors.Count > 0)
        {
            foreach (var (r, f) in errors)
            {
                console.Error.WriteLine(
                    $"{r.Document.File}: {r.Kind} {r.Name}: {f.Code}{(f.Path is null ? "" : $" ({f.Path})")}: {f.Message}"
                );
            }

            console.Error.WriteLine("maildns render: the manifests are invalid; nothing written");
            return ExitCodes.Invalid;
        }

        var records = byZone
            .SelectMany(z =>
                z.Value.OrderBy(r => r.Name, StringComparer.Ordinal)
                    .Select(r => new RecordJson(
                        DomainName.Fqdn(z.Key),
                        DomainName.Fqdn(r.Name),
                        r.Type,
                        r.Ttl,
                        r.Value,
                        r.Strings,
                        r.Owner,
                        DesiredRecord.PurposeText(r.Purpose)
                    ))
            )
            .ToList();
        try
        {
            AtomicFile.Write(Path.Combine(outDir, "records.json"), JsonOutput.Serialize(records) + "\n");
            foreach (var (zone, zoneRecords) in byZone)
            {
                AtomicFile.Write(Path.Combine(outDir, "zones", zone + ".zone"), ZoneFragment.Render(zone, zoneRecords));
            }

            // Managed MTA-STS policies, as a static host would serve them (mta-sts/DOMAIN/.well-known/mta-sts.txt). The
            // _mta-sts record is not rendered: the operator publishes its id only once the policy is served.
            foreach (var sd in resources.OfType<SendingDomain>().Where(d => d.Spec.MtaSts?.Mode is not null))
            {
                var domain = DomainName.Normalize(sd.Spec.Domain);
                if (sd.Spec.MtaSts!.Mx is not { Count: > 0 } mx)
                {
                    console.Out.WriteLine($"mta-sts: {domain}: mx comes from the domain's MX records when the operator runs; not rendered");
                    continue;
                }

                var maxAge = DurationText.ParseOr(sd.Spec.MtaSts.MaxAge, Defaults.MtaStsMaxAge);
                var policy = Core.MtaSts.MtaStsPolicy.For(sd.Spec.MtaSts.Mode!, mx, maxAge).Render();
                AtomicFile.Write(Path.Combine(outDir, "mta-sts", domain, ".well-known", "mta-sts.txt"), policy);
                console.Out.WriteLine($"mta-sts: {domain}: policy id {Core.MtaSts.MtaStsPolicy.IdOf(policy)}");
            }

            // The programs a GitOps pipeline can run `pulumi preview` on: one directory per stack.
            foreach (var (name, stack) in stacks)
            {
                var (program, settings) = PulumiProgram.Render(stack);
                AtomicFile.Write(Path.Combine(outDir, "pulumi", name, "Pulumi.yaml"), program);
                AtomicFile.Write(Path.Combine(outDir, "pulumi", name, $"Pulumi.{name}.yaml"), settings);
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            console.Error.WriteLine($"maildns render: {e.Message}");
            return ExitCodes.Usage;
        }

        console.Out.WriteLine(
            $"rendered {records.Count} record(s) for {resources.OfType<SendingDomain>().Count()} SendingDomain(s) in {byZone.Count} "
                + $"zone(s){(stacks.Count > 0 ? $" and {stacks.Count} Pulumi stack(s)" : "")} to {outDir}"
        );
        return ExitCodes.Ok;
    }
}
