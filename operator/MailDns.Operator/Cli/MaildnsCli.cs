using System.CommandLine;
using MailDns.Operator.Kubernetes;

namespace MailDns.Operator.Cli;

/// <summary>The <c>maildns</c> command line. Exit codes: 0 ok, 1 invalid input, 2 usage or I/O error.</summary>
public static class MaildnsCli
{
    /// <summary>Each command's name and option names (for help tests and generated command lines).</summary>
    public static IReadOnlyList<(string Name, IReadOnlyList<string> Options)> Describe() =>
        Root(new Console2(TextWriter.Null, TextWriter.Null))
            .Subcommands.Select(c => (c.Name, (IReadOnlyList<string>)c.Options.Select(o => o.Name).ToList()))
            .ToList();

    private static RootCommand Root(Console2 console) =>
        new("maildns: SPF, DKIM and DMARC records and keys for sending domains, from SendingDomain manifests.")
        {
            ValidateCommand.Create(console),
            LintCommand.Create(console),
            KeygenCommand.Create(console),
            RenderCommand.Create(console),
            CheckCommand.Create(console),
            ReconcileCommand.Create(console),
            ReportsCommand.Create(console),
            RolloutCommand.Create(console),
            ReputationCommand.Create(console),
            Kubectl.KubectlPluginCommand.Create(console),
            OperatorCommand.Create(console),
        };

    public static int Run(string[] args, Console2 console)
    {
        KubernetesJsonMetadata.UseReflection();
        var parse = Root(console).Parse(args);
        if (parse.Errors.Count > 0)
        {
            foreach (var error in parse.Errors)
            {
                console.Error.WriteLine($"maildns: {error.Message}");
            }

            console.Error.WriteLine("run 'maildns --help' for usage");
            return ExitCodes.Usage;
        }

        try
        {
            return parse.Invoke(
                new InvocationConfiguration
                {
                    Output = console.Out,
                    Error = console.Error,

                    // A bug must not print a stack trace at a user: it is caught below and said in one line.
                    EnableDefaultExceptionHandler = false,

                    // SIGTERM or Ctrl-C cancels the command's token; the operator then lets reconciles under way finish
                    // (ControllerOptions.ShutdownGrace), which must fit before this and Kubernetes' 30 s grace period.
                    ProcessTerminationTimeout = TimeSpan.FromSeconds(25),
                }
            );
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // The type and message only: messages here never carry key material, and a trace helps no user.
            console.Error.WriteLine($"maildns: internal error (please report it): {e.GetType().Name}: {e.Message}");
            return ExitCodes.Internal;
        }
    }
}
