using System.Text.Json;
using System.Text.Json.Nodes;
using YamlDotNet.RepresentationModel;

// A stand-in for the pulumi CLI, put first on PATH by the tests. It does what the product depends on: it checks
// the argument vector and the environment as the real CLI needs them (file backend, passphrase, credentials as
// environment variables and never in argv), reads Pulumi.yaml, keeps per-stack state in the backend directory
// (so a second run reports "same"), holds a lock file during an update, and prints the real --json formats.
// MAILDNS_STANDIN_FAIL=resource|die|hang makes it fail like the real one; MAILDNS_STANDIN_LOG records each call.
var env = Environment.GetEnvironmentVariables();
string? Env(string name) => Environment.GetEnvironmentVariable(name);
Log(args);

if (args is ["version"])
{
    Console.WriteLine("v3.260.0");
    return 0;
}

// The credentials the test expects must be present as variables, and no secret may appear in argv.
var secrets = (Env("MAILDNS_STANDIN_REQUIRED_ENV") ?? "")
    .Split(',', StringSplitOptions.RemoveEmptyEntries)
    .Append("PULUMI_CONFIG_PASSPHRASE")
    .ToList();
foreach (var name in secrets)
{
    if (string.IsNullOrEmpty(Env(name)))
    {
        Console.Error.WriteLine($"error: {name} must be set");
        return 2;
    }

    if (args.Any(a => a.Contains(Env(name)!, StringComparison.Ordinal)))
    {
        Console.Error.WriteLine($"stand-in: the value of {name} appeared in the command line");
        return 2;
    }
}

var backend = Env("PULUMI_BACKEND_URL");
if (backend is null || !backend.StartsWith("file://", StringComparison.Ordinal))
{
    Console.Error.WriteLine("error: PULUMI_BACKEND_URL must be a file:// URL for the stand-in");
    return 2;
}

var root = backend["file://".Length..];
var stack = Option("--stack") ?? Option("--create");
if (stack is null)
{
    Console.Error.WriteLine("error: no stack selected; pass --stack");
    return 2;
}

var stateFile = Path.Combine(root, ".pulumi", "stacks", "maildns", stack + ".json");
var lockDir = Path.Combine(root, ".pulumi", "locks", "maildns", stack);
var command = args.Length > 0 ? args[0] : "";
var sub = args.Length > 1 ? args[1] : "";

if (command == "stack" && sub == "select")
{
    if (!File.Exists(stateFile))
    {
        if (!args.Contains("--create"))
        {
            Console.Error.WriteLine($"error: no stack named '{stack}' found");
            return 6;
        }

        Directory.CreateDirectory(Path.GetDirectoryName(stateFile)!);
        File.WriteAllText(stateFile, "{}");
    }

    return 0;
}

// `config set --secret KEY` takes the value from standard input, as the real CLI does when none is given; it is kept
// in the stack settings file as an opaque secure value.
if (command == "config" && sub == "set")
{
    var key = args.Skip(2).FirstOrDefault(a => !a.StartsWith("--", StringComparison.Ordinal) && a != stack);
    var value = Console.In.ReadToEnd();
    if (key is null || !args.Contains("--secret") || value.Length == 0)
    {
        Console.Error.WriteLine("stand-in: config set expects --secret KEY with the value on standard input");
        return 2;
    }

    var settingsFile = $"Pulumi.{stack}.yaml";
    var secure = Convert.ToBase64String(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(value)));
    File.AppendAllText(settingsFile, $"  maildns:{key}:\n    secure: v1:{secure}\n");
    return 0;
}

if (command == "cancel")
{
    if (Directory.Exists(lockDir))
    {
        Directory.Delete(lockDir, recursive: true);
    }

    Console.WriteLine($"The currently running update for '{stack}' has been canceled!");
    return 0;
}

if (!File.Exists(stateFile))
{
    Console.Error.WriteLine($"error: no stack named '{stack}' found");
    return 6;
}

// Config the program declares secret must be set in the stack, as the real CLI refuses to run without it.
if (command is "preview" or "up" && MissingSecretConfig() is { } missingKey)
{
    Console.Error.WriteLine($"error: Missing required configuration variable 'maildns:{missingKey}'");
    return 2;
}

var state = JsonNode.Parse(File.ReadAllText(stateFile))!.AsObject();
var desired = command == "destroy" ? new Dictionary<string, JsonObject>() : ReadProgram();
var steps = new List<(string Op, string Name, string Type)>();
foreach (var (name, resource) in desired)
{
    var old = state[name] as JsonObject;
    steps.Add(
        (
            old is null ? "create"
            : JsonNode.DeepEquals(old, resource) ? "same"
            : "update",
            name,
            (string)resource["type"]!
        )
    );
}

steps.AddRange(state.Where(p => !desired.ContainsKey(p.Key)).Select(p => ("delete", p.Key, (string)p.Value!["type"]!)));
string Urn(string type, string name) => $"urn:pulumi:{stack}::maildns::{type}::{name}";

if (command == "preview")
{
    var digest = new JsonObject
    {
        ["config"] = new JsonObject(),
        ["steps"] = new JsonArray(
            steps
                .Where(s => s.Op != "same")
                .Select(s => (JsonNode)new JsonObject { ["op"] = s.Op, ["urn"] = Urn(s.Type, s.Name) })
                .ToArray()
        ),
        ["changeSummary"] = Summary(steps),
    };
    Console.WriteLine(digest.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
    return 0;
}

if (command is not ("up" or "refresh" or "destroy"))
{
    Console.Error.WriteLine($"stand-in: unsupported command {string.Join(' ', args)}");
    return 2;
}

if (!args.Contains("--yes") || !args.Contains("--skip-preview"))
{
    Console.Error.WriteLine("error: --yes and --skip-preview are required with --non-interactive use");
    return 2;
}

if (Directory.Exists(lockDir) && Directory.EnumerateFiles(lockDir).Any())
{
    Console.Error.WriteLine(
        $"error: the stack is currently locked by 1 lock(s). Either wait for the other process(es) to end or delete the lock file with "
            + $"`pulumi cancel`.\n  {Directory.EnumerateFiles(lockDir).First()}: created by root@{Environment.MachineName} (pid "
            + $"{JsonNode.Parse(File.ReadAllText(Directory.EnumerateFiles(lockDir).First()))!["pid"]})"
    );
    return 1;
}

Directory.CreateDirectory(lockDir);
var lockFile = Path.Combine(lockDir, Guid.NewGuid() + ".json");
File.WriteAllText(
    lockFile,
    new JsonObject
    {
        ["pid"] = Environment.ProcessId,
        ["username"] = "root",
        ["hostname"] = Environment.MachineName,
        ["timestamp"] = DateTime.UtcNow.ToString("O"),
    }.ToJsonString()
);
var sequence = 0;
void Event(string kind, JsonObject body) =>
    Console.WriteLine(
        new JsonObject
        {
            ["sequence"] = ++sequence,
            ["timestamp"] = DateTimeOffset.UtcNow.ToUnixTimeSeconds(),
            [kind] = body,
        }.ToJsonString()
    );

var fail = Env("MAILDNS_STANDIN_FAIL");
Event("preludeEvent", new JsonObject { ["config"] = new JsonObject() });
if (command == "refresh")
{
    steps = [.. state.Select(p => ("same", p.Key, (string)p.Value!["type"]!))];
}

var failedOne = false;
foreach (var (op, name, type) in steps)
{
    var metadata = new JsonObject
    {
        ["op"] = op,
        ["urn"] = Urn(type, name),
        ["type"] = type,
    };
    Event("resourcePreEvent", new JsonObject { ["metadata"] = metadata.DeepClone() });
    if (fail == "die" && op != "same")
    {
        Console.Out.Flush();
        Environment.Exit(137); // killed mid-run: the lock stays, the state is not written
    }

    if (fail == "hang")
    {
        Thread.Sleep(TimeSpan.FromMinutes(10));
    }

    if (fail == "resource" && op is "create" or "update" && !failedOne)
    {
        failedOne = true;
        Event(
            "diagnosticEvent",
            new JsonObject
            {
                ["urn"] = Urn(type, name),
                ["prefix"] = "<{%fg 1%}>error: <{%reset%}>",
                ["message"] = $"<{{%reset%}}>creating {name}: 400 Bad Request: record content is invalid<{{%reset%}}>\n",
                ["color"] = "raw",
                ["severity"] = "error",
            }
        );
        Event(
            "resOpFailedEvent",
            new JsonObject
            {
                ["metadata"] = metadata.DeepClone(),
                ["status"] = 2,
                ["steps"] = 1,
            }
        );
        continue;
    }

    if (op == "delete")
    {
        state.Remove(name);
    }
    else if (command != "refresh")
    {
        state[name] = desired[name].DeepClone();
    }

    Event("resOutputsEvent", new JsonObject { ["metadata"] = metadata });
}

File.WriteAllText(stateFile, state.ToJsonString());
Event(
    "summaryEvent",
    new JsonObject
    {
        ["maybeCorrupt"] = false,
        ["durationSeconds"] = 1,
        ["resourceChanges"] = Summary(steps),
        ["PolicyPacks"] = new JsonObject(),
        ["isPreview"] = false,
        ["result"] = failedOne ? "failed" : "succeeded",
    }
);
File.Delete(lockFile);
return failedOne ? 4 : 0;

string? Option(string name) => Array.IndexOf(args, name) is var i and >= 0 && i + 1 < args.Length ? args[i + 1] : null;

JsonObject Summary(List<(string Op, string Name, string Type)> all) =>
    new(all.GroupBy(s => s.Op).Select(g => KeyValuePair.Create(g.Key, (JsonNode?)g.Count())));

Dictionary<string, JsonObject> ReadProgram()
{
    var yaml = new YamlStream();
    yaml.Load(new StringReader(File.ReadAllText(Path.Combine(Environment.CurrentDirectory, "Pulumi.yaml"))));
    var program = (YamlMappingNode)yaml.Documents[0].RootNode;
    if (program["runtime"].ToString() != "yaml")
    {
        throw new InvalidOperationException("runtime must be yaml");
    }

    return ((YamlMappingNode)program["resources"]).Children.ToDictionary(p => p.Key.ToString(), p => (JsonObject)ToJson(p.Value)!);
}

// The first config variable the program declares secret that the stack settings do not set.
string? MissingSecretConfig()
{
    var yaml = new YamlStream();
    yaml.Load(new StringReader(File.ReadAllText(Path.Combine(Environment.CurrentDirectory, "Pulumi.yaml"))));
    var program = (YamlMappingNode)yaml.Documents[0].RootNode;
    if (!program.Children.TryGetValue("config", out var declared))
    {
        return null;
    }

    var settingsFile = Path.Combine(Environment.CurrentDirectory, $"Pulumi.{stack}.yaml");
    var settings = File.Exists(settingsFile) ? File.ReadAllText(settingsFile) : "";
    return ((YamlMappingNode)declared)
        .Children.Where(c =>
            c.Value is YamlMappingNode m && m.Children.TryGetValue("secret", out var secret) && secret.ToString() == "true"
        )
        .Select(c => c.Key.ToString())
        .FirstOrDefault(key => !settings.Contains($"maildns:{key}:\n    secure: ", StringComparison.Ordinal));
}

static JsonNode? ToJson(YamlNode node) =>
    node switch
    {
        YamlMappingNode m => new JsonObject(m.Children.Select(c => KeyValuePair.Create(c.Key.ToString(), ToJson(c.Value)))),
        YamlSequenceNode s => new JsonArray(s.Children.Select(ToJson).ToArray()),
        YamlScalarNode v => JsonValue.Create(v.Value),
        _ => null,
    };

void Log(string[] argv)
{
    if (Env("MAILDNS_STANDIN_LOG") is { } log)
    {
        var names = env
            .Keys.Cast<string>()
            .Where(k =>
                k.StartsWith("PULUMI_", StringComparison.Ordinal)
                || k.StartsWith("CLOUDFLARE_", StringComparison.Ordinal)
                || k.StartsWith("AWS_", StringComparison.Ordinal)
            )
            .Order()
            .ToArray();
        var line = new JsonObject
        {
            ["argv"] = new JsonArray(argv.Select(a => (JsonNode)a).ToArray()),
            ["env"] = new JsonArray(names.Select(n => (JsonNode)n).ToArray()),
            ["cwd"] = Environment.CurrentDirectory,
            ["pid"] = Environment.ProcessId,
        }.ToJsonString();
        using var stream = new FileStream(log, FileMode.Append, FileAccess.Write, FileShare.ReadWrite);
        using var writer = new StreamWriter(stream);
        writer.WriteLine(line);
    }
}
