namespace MailDns.Testing;

/// <summary>
/// The image's publish (the Dockerfile's `dotnet publish -r linux-x64 --self-contained -p:PublishTrimmed=true`, with
/// or without its ReadyToRun) from a copy of the sources, so it never races the suite's own build.
/// </summary>
public sealed class ImagePublish : IDisposable
{
    private readonly TempDir dir = new();

    public ImagePublish(bool readyToRun)
    {
        var sources = Path.Combine(dir.Path, "src");
        foreach (var file in new[] { "Directory.Build.props", "Directory.Packages.props", ".editorconfig" })
        {
            Directory.CreateDirectory(sources);
            File.Copy(Repo.PathOf(file), Path.Combine(sources, file));
        }

        Copy(Repo.PathOf("operator"), Path.Combine(sources, "operator"));
        Copy(Repo.PathOf("crds"), Path.Combine(sources, "crds"));
        Output = Path.Combine(dir.Path, "out");
        var (exit, log) = Tool.RunFor(
            TimeSpan.FromMinutes(8),
            "dotnet",
            "publish",
            Path.Combine(sources, "operator", "MailDns.Operator"),
            "-c",
            "Release",
            "-r",
            "linux-x64",
            "--self-contained",
            "-p:PublishTrimmed=true",
            $"-p:PublishReadyToRun={(readyToRun ? "true" : "false")}",
            "-o",
            Output,
            "-v",
            "quiet",
            "-nologo"
        );
        Log = log;
        Succeeded = exit == 0;
    }

    public string Output { get; }

    public string Log { get; }

    public bool Succeeded { get; }

    public string Maildns => Path.Combine(Output, "maildns");

    private static void Copy(string from, string to)
    {
        foreach (var file in Directory.EnumerateFiles(from, "*", SearchOption.AllDirectories))
        {
            var relative = Path.GetRelativePath(from, file);
            if (relative.Split(Path.DirectorySeparatorChar).Any(part => part is "bin" or "obj"))
            {
                continue;
            }

            Directory.CreateDirectory(Path.GetDirectoryName(Path.Combine(to, relative))!);
            File.Copy(file, Path.Combine(to, relative));
        }
    }

    public void Dispose() => dir.Dispose();
}
