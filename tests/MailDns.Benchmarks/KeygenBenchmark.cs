using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using MailDns.Core.Dkim;

namespace MailDns.Benchmarks;

/// <summary>
/// DKIM key generation: the product's generator (BouncyCastle) against .NET's RSA (OpenSSL underneath) and the
/// openssl CLI, in the same run, plus Ed25519. Prints one line per figure and a JSON object last.
/// </summary>
public static class KeygenBenchmark
{
    public static Dictionary<string, double> Run(int rsaRuns)
    {
        var figures = new Dictionary<string, double>();
        DkimKeyMaterial.Generate(DkimAlgorithm.RsaSha256, 2048); // warm-up (JIT)
        DkimKeyMaterial.Generate(DkimAlgorithm.RsaSha256, 2048, RsaPrimeSource.BouncyCastle);
        figures["rsa2048_product_median_ms"] = Median(rsaRuns, () => DkimKeyMaterial.Generate(DkimAlgorithm.RsaSha256, 2048));
        figures["rsa2048_bouncycastle_median_ms"] = Median(
            rsaRuns,
            () => DkimKeyMaterial.Generate(DkimAlgorithm.RsaSha256, 2048, RsaPrimeSource.BouncyCastle)
        );
        figures["rsa2048_dotnet_median_ms"] = Median(
            rsaRuns,
            () =>
            {
                using var rsa = RSA.Create(2048);
                rsa.ExportPkcs8PrivateKey(); // generation is lazy until the key is used
            }
        );

        var startup = Median(rsaRuns, () => RunProcess("openssl", "version"));
        var openssl = Median(rsaRuns, () => RunProcess("openssl", "genrsa", "2048"));
        figures["rsa2048_openssl_cli_median_ms"] = openssl;
        figures["openssl_cli_startup_median_ms"] = startup;
        figures["rsa2048_openssl_minus_startup_median_ms"] = Math.Max(0, openssl - startup);
        figures["ed25519_bouncycastle_median_ms"] = Median(2_000, () => DkimKeyMaterial.Generate(DkimAlgorithm.Ed25519Sha256));
        var openSslNet = Math.Max(0.001, figures["rsa2048_openssl_minus_startup_median_ms"]);
        figures["rsa2048_bouncycastle_over_openssl"] = Math.Round(figures["rsa2048_bouncycastle_median_ms"] / openSslNet, 3);
        figures["rsa2048_product_over_openssl"] = Math.Round(figures["rsa2048_product_median_ms"] / openSslNet, 3);
        return figures;
    }

    /// <summary>The median time of <paramref name="action"/> in milliseconds.</summary>
    private static double Median(int runs, Action action) =>
        Math.Round(
            Samples
                .Of(
                    runs,
                    () =>
                    {
                        var watch = Stopwatch.StartNew();
                        action();
                        return watch.Elapsed.TotalMilliseconds;
                    }
                )
                .Median,
            3
        );

    private static void RunProcess(string file, params string[] args)
    {
        var psi = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in args)
        {
            psi.ArgumentList.Add(a);
        }

        using var process = Process.Start(psi)!;
        process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException(
                $"{file} {string.Join(' ', args)} exited {process.ExitCode.ToString(CultureInfo.InvariantCulture)}"
            );
        }
    }
}
