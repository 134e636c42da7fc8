using MailDns.Core.Publishing.Pulumi;
using MailDns.Operator.IO;

namespace MailDns.Operator.Publishing.Pulumi;

/// <summary>
/// Publishes a stack: writes its program and stack settings into the workspace, selects (or creates) the stack,
/// then previews or updates it. An update that did not finish (the process killed, a timeout) leaves a marker,
/// and the next update refreshes first so the engine's state matches the provider again before it acts.
/// </summary>
public sealed class PulumiPublisher(PulumiCli cli)
{
    private const string IncompleteMarker = ".maildns-update-incomplete";

    public async Task<PulumiResult> PreviewAsync(PulumiStack stack, PulumiWorkspace workspace, CancellationToken cancellationToken)
    {
        var selected = await PrepareAsync(stack, workspace, cancellationToken).ConfigureAwait(false);
        return selected.Succeeded ? await cli.PreviewAsync(workspace, cancellationToken).ConfigureAwait(false) : selected;
    }

    public async Task<PulumiResult> ApplyAsync(PulumiStack stack, PulumiWorkspace workspace, CancellationToken cancellationToken)
    {
        var selected = await PrepareAsync(stack, workspace, cancellationToken).ConfigureAwait(false);
        if (!selected.Succeeded)
        {
            return selected;
        }

        var marker = Path.Combine(workspace.Directory, IncompleteMarker);
        if (File.Exists(marker))
        {
            var refreshed = await cli.RefreshAsync(workspace, cancellationToken).ConfigureAwait(false);
            if (!refreshed.Succeeded)
            {
                return refreshed;
            }
        }

        await File.WriteAllTextAsync(marker, DateTimeOffset.UtcNow.ToString("O"), cancellationToken).ConfigureAwait(false);
        var result = await cli.UpAsync(workspace, cancellationToken).ConfigureAwait(false);
        if (result.ExitCode is 0 or 4 or 5 || result.Reason.Contains("locked by a running update", StringComparison.Ordinal))
        {
            File.Delete(marker); // the engine recorded what it did (or never started)
        }

        return result;
    }

    private async Task<PulumiResult> PrepareAsync(PulumiStack stack, PulumiWorkspace workspace, CancellationToken cancellationToken)
    {
        var (program, settings) = PulumiProgram.Render(stack);
        Directory.CreateDirectory(workspace.Directory);
        AtomicFile.Write(Path.Combine(workspace.Directory, "Pulumi.yaml"), program);
        AtomicFile.Write(Path.Combine(workspace.Directory, $"Pulumi.{workspace.Stack}.yaml"), settings);
        var selected = await cli.SelectStackAsync(workspace, cancellationToken).ConfigureAwait(false);
        if (!selected.Succeeded || !PulumiPackages.SecretConfig.TryGetValue(stack.Package, out var secret))
        {
            return selected;
        }

        return await cli.SetSecretAsync(workspace, secret.ConfigKey, secret.Credential, cancellationToken).ConfigureAwait(false);
    }
}
