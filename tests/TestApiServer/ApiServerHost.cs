using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json.Nodes;

namespace MailDns.TestApiServer;

/// <summary>
/// An in-process stand-in for kube-apiserver on 127.0.0.1, speaking the REST API as KubernetesClient and kubectl
/// use it (JSON only). What it emulates and what it does not is listed in the README's testing section.
/// </summary>
public sealed class ApiServerHost : IAsyncDisposable
{
    private readonly WebApplication app;
    private readonly CancellationTokenSource stopping = new();

    private ApiServerHost(WebApplication app, ObjectStore store, Faults faults)
    {
        this.app = app;
        Store = store;
        Faults = faults;
    }

    public ObjectStore Store { get; }

    public Faults Faults { get; }

    public ConcurrentQueue<RequestRecord> Requests { get; } = new();

    public Uri BaseAddress { get; private set; } = new("http://127.0.0.1");

    public static async Task<ApiServerHost> StartAsync(int port = 0, TimeProvider? time = null, int historyCapacity = 1000)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(k => k.Listen(IPAddress.Loopback, port));
        var app = builder.Build();
        var host = new ApiServerHost(app, new ObjectStore(time ?? TimeProvider.System, historyCapacity), new Faults());
        app.Map("/{**path}", host.HandleAsync);
        await app.StartAsync().ConfigureAwait(false);
        var address = app.Urls.First();
        host.BaseAddress = new Uri(address.Replace("[::]", "127.0.0.1", StringComparison.Ordinal));
        return host;
    }

    public async ValueTask DisposeAsync()
    {
        // Open watches would otherwise hold Kestrel's shutdown until its timeout.
        await stopping.CancelAsync().ConfigureAwait(false);
        stopping.Dispose();
        await app.StopAsync().ConfigureAwait(false);
        await app.DisposeAsync().ConfigureAwait(false);
    }

    private async Task HandleAsync(HttpContext context)
    {
        var path = context.Request.Path.Value?.Trim('/') ?? "";
        try
        {
            if (await Discovery.TryServeAsync(context, path, Store).ConfigureAwait(false))
            {
                return;
            }

            await ServeResourceAsync(context, path).ConfigureAwait(false);
        }
        catch (ApiException e)
        {
            await WriteAsync(context, e.Code, e.ToStatus()).ConfigureAwait(false);
        }
        catch (System.Text.Json.JsonException e)
        {
            await WriteAsync(context, 400, Status.Failure(400, "BadRequest", $"the body of the request could not be decoded: {e.Message}"))
                .ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException && !context.Response.HasStarted)
        {
            // A bug in the stand-in must be visible in the failing test, not a bare 500.
            await WriteAsync(context, 500, Status.Failure(500, "InternalError", $"test API server bug: {e}")).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Who is asking, for the request log and targeted faults: the bearer token taken as the user name (nothing is
    /// authenticated; a real server maps the token to a user such as a service account). Anonymous without one.
    /// </summary>
    private static string UserOf(HttpRequest request) =>
        request.Headers.Authorization.ToString() is var header && header.StartsWith("Bearer ", StringComparison.Ordinal)
            ? header["Bearer ".Length..]
            : "system:anonymous";

    private async Task ServeResourceAsync(HttpContext context, string path)
    {
        var route = Route.Parse(path, Store) ?? throw new ApiException(404, "NotFound", "the server could not find the requested resource");
        var request = context.Request;
        var query = request.Query;
        var watch = query["watch"] is var w && (w == "true" || w == "1");
        var verb = request.Method switch
        {
            "GET" when watch => "watch",
            "GET" when route.Name is null => "list",
            "GET" => "get",
            "POST" => "create",
            "PUT" => "update",
            "PATCH" => "patch",
            "DELETE" => "delete",
            _ => throw new ApiException(405, "MethodNotAllowed", $"method {request.Method} is not supported"),
        };

        if (Faults.Latency > TimeSpan.Zero)
        {
            await Task.Delay(Faults.Latency).ConfigureAwait(false);
        }

        var user = UserOf(request);
        void Record(int status) =>
            Requests.Enqueue(
                new RequestRecord(verb, route.Type.Group, route.Type.Plural, route.Subresource, route.Namespace, status, user, route.Name)
            );
        var injected =
            verb == "watch" || (Faults.User is { } target && target != user)
                ? null
                : Faults.Roll(verb is "create" or "update" or "patch" or "delete");
        if (injected is { } code)
        {
            Record(code);
            if (code == 429)
            {
                context.Response.Headers["Retry-After"] = "1";
            }

            var reason = code switch
            {
                409 => "Conflict",
                429 => "TooManyRequests",
                _ => "InternalError",
            };
            throw new ApiException(code, reason, $"injected fault: {reason}");
        }

        var fieldValidation = query["fieldValidation"].ToString();
        var labels = LabelSelector.Parse(query["labelSelector"]);
        var fields = FieldSelector.Parse(query["fieldSelector"]);
        var status = route.Subresource == "status";
        var result = 200;
        var recorded = false;
        try
        {
            switch (verb)
            {
                case "watch":
                    // A watch is logged when it starts, as an audit log's RequestReceived stage: it may never end.
                    await WatchAsync(
                            context,
                            route,
                            labels,
                            fields,
                            code =>
                            {
                                recorded = true;
                                Record(code);
                            }
                        )
                        .ConfigureAwait(false);
                    return;
                case "list":
                    var limit = int.TryParse(query["limit"], CultureInfo.InvariantCulture, out var l) ? l : 0;
                    var page = Store.List(route.Type, route.Namespace, labels, fields, limit, query["continue"]);
                    if (Tables.Wanted(request))
                    {
                        await WriteAsync(context, 200, Tables.Build(route.Type, page.Items, page.ResourceVersion, page.Continue))
                            .ConfigureAwait(false);
                        return;
                    }

                    var meta = new JsonObject { ["resourceVersion"] = page.ResourceVersion.ToString(CultureInfo.InvariantCulture) };
                    if (page.Continue is not null)
                    {
                        meta["continue"] = page.Continue;
                        meta["remainingItemCount"] = page.RemainingItemCount;
                    }

                    await WriteAsync(
                            context,
                            200,
                            new JsonObject
                            {
                                ["kind"] = route.Type.Kind + "List",
                                ["apiVersion"] = route.Type.ApiVersion,
                                ["metadata"] = meta,
                                ["items"] = new JsonArray(page.Items.Select(i => (JsonNode)i).ToArray()),
                            }
                        )
                        .ConfigureAwait(false);
                    return;
                case "get":
                    var one = Store.Get(route.Type, route.Namespace, route.Name!);
                    await WriteAsync(
                            context,
                            200,
                            Tables.Wanted(request) ? Tables.Build(route.Type, [one], Store.CurrentResourceVersion) : one
                        )
                        .ConfigureAwait(false);
                    return;
                case "create":
                    result = 201;
                    await WriteAsync(
                            context,
                            201,
                            Store.Create(route.Type, route.Namespace, await BodyAsync(request).ConfigureAwait(false), fieldValidation)
                        )
                        .ConfigureAwait(false);
                    return;
                case "update":
                    await WriteAsync(
                            context,
                            200,
                            Store.Update(
                                route.Type,
                                route.Namespace,
                                route.Name!,
                                await BodyAsync(request).ConfigureAwait(false),
                                status,
                                fieldValidation
                            )
                        )
                        .ConfigureAwait(false);
                    return;
                case "patch":
                    var current = Store.Get(route.Type, route.Namespace, route.Name!);
                    var patched = await PatchAsync(request, current, route.Type).ConfigureAwait(false);
                    await WriteAsync(context, 200, Store.Update(route.Type, route.Namespace, route.Name!, patched, status, fieldValidation))
                        .ConfigureAwait(false);
                    return;
                default:
                    var options = request.ContentLength > 0 ? await BodyAsync(request).ConfigureAwait(false) : null;
                    await WriteAsync(
                            context,
                            200,
                            Store.Delete(route.Type, route.Namespace, route.Name!, (string?)options?["preconditions"]?["resourceVersion"])
                        )
                        .ConfigureAwait(false);
                    return;
            }
        }
        catch (ApiException e)
        {
            result = e.Code;
            throw;
        }
        finally
        {
            if (!recorded)
            {
                Record(result);
            }
        }
    }

    private static async Task<JsonObject> PatchAsync(HttpRequest request, JsonObject current, ResourceType type)
    {
        var contentType = request.ContentType?.Split(';')[0].Trim() ?? "";
        var body = await JsonNode.ParseAsync(request.Body).ConfigureAwait(false);
        var patchedResourceVersion = (string?)(body as JsonObject)?["metadata"]?["resourceVersion"];
        JsonNode? result = contentType switch
        {
            "application/merge-patch+json" => Patches.Merge(current, body),
            "application/json-patch+json" => Patches.Json(
                current,
                body as JsonArray ?? throw ApiException.BadRequest("a json patch is an array of operations")
            ),
            // Built-in kinds accept strategic merge patches; for the fields the operator and kubectl touch, a merge patch behaves the same.
            "application/strategic-merge-patch+json" when !type.IsCustom => Patches.Merge(current, body),
            _ => throw new ApiException(
                415,
                "UnsupportedMediaType",
                $"the body of the request was in an unknown format - accepted media types include: application/json-patch+json, "
                    + $"application/merge-patch+json"
            ),
        };
        var patched = result as JsonObject ?? throw ApiException.BadRequest("the patch did not produce an object");

        // A patch carries the resourceVersion only when the client asked for optimistic concurrency.
        if (patched["metadata"] is JsonObject meta && patchedResourceVersion is null)
        {
            meta.Remove("resourceVersion");
        }

        return patched;
    }

    /// <summary>Streams watch events; tells <paramref name="started"/> the status the request log records (200, or 410 sent as an ERROR
    /// line).</summary>
    private async Task WatchAsync(HttpContext context, Route route, LabelSelector labels, FieldSelector fields, Action<int> started)
    {
        var query = context.Request.Query;
        var bookmarks = query["allowWatchBookmarks"] == "true";
        var timeout = int.TryParse(query["timeoutSeconds"], CultureInfo.InvariantCulture, out var seconds)
            ? TimeSpan.FromSeconds(seconds)
            : TimeSpan.FromMinutes(30);
        if (Faults.DropWatchesAfter is { } drop && drop < timeout)
        {
            timeout = drop;
        }

        context.Response.StatusCode = 200;
        context.Response.ContentType = "application/json";
        Watcher watcher;
        try
        {
            watcher = Store.Watch(route.Type, route.Namespace, labels, fields, query["resourceVersion"]);
        }
        catch (ApiException e) when (e.Code == 410)
        {
            // Like kube-apiserver: HTTP 200, then one ERROR event carrying the 410 Status.
            await context.Response.StartAsync().ConfigureAwait(false);
            started(410);
            await WriteLineAsync(context, new JsonObject { ["type"] = "ERROR", ["object"] = e.ToStatus() }).ConfigureAwait(false);
            return;
        }

        started(200);
        await context.Response.StartAsync().ConfigureAwait(false);
        await context.Response.Body.FlushAsync().ConfigureAwait(false);
        using var cancel = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted, stopping.Token);
        cancel.CancelAfter(timeout);
        try
        {
            while (!cancel.IsCancellationRequested)
            {
                using var tick = CancellationTokenSource.CreateLinkedTokenSource(cancel.Token);
                tick.CancelAfter(Faults.BookmarkInterval);
                try
                {
                    var e = await watcher.Channel.Reader.ReadAsync(tick.Token).ConfigureAwait(false);
                    await WriteLineAsync(context, new JsonObject { ["type"] = e.Type, ["object"] = e.Object.DeepClone() })
                        .ConfigureAwait(false);
                }
                catch (OperationCanceledException) when (!cancel.IsCancellationRequested && bookmarks)
                {
                    await WriteLineAsync(
                            context,
                            new JsonObject
                            {
                                ["type"] = "BOOKMARK",
                                ["object"] = new JsonObject
                                {
                                    ["kind"] = route.Type.Kind,
                                    ["apiVersion"] = route.Type.ApiVersion,
                                    ["metadata"] = new JsonObject
                                    {
                                        ["resourceVersion"] = Store.CurrentResourceVersion.ToString(CultureInfo.InvariantCulture),
                                    },
                                },
                            }
                        )
                        .ConfigureAwait(false);
                }
                catch (OperationCanceledException) when (!cancel.IsCancellationRequested) { }
            }
        }
        catch (OperationCanceledException) { }
        catch (IOException)
        {
            // the client went away
        }
        finally
        {
            Store.Unwatch(watcher);
        }
    }

    private static async Task<JsonObject> BodyAsync(HttpRequest request)
    {
        // Protobuf is not emulated: answer as kube-apiserver does for a media type it does not serve, so
        // client-go falls back to JSON.
        var contentType = request.ContentType?.Split(';')[0].Trim() ?? "application/json";
        if (contentType is not ("application/json" or "*/*" or ""))
        {
            throw new ApiException(
                415,
                "UnsupportedMediaType",
                $"the body of the request was in an unknown format - accepted media types include: application/json, application/yaml"
            );
        }

        return await JsonNode.ParseAsync(request.Body).ConfigureAwait(false) as JsonObject
            ?? throw ApiException.BadRequest("the request body must be a JSON object");
    }

    internal static async Task WriteAsync(HttpContext context, int code, JsonObject body)
    {
        context.Response.StatusCode = code;
        context.Response.ContentType = "application/json";
        await context.Response.WriteAsync(body.ToJsonString(), Encoding.UTF8).ConfigureAwait(false);
    }

    private static async Task WriteLineAsync(HttpContext context, JsonObject line)
    {
        await context.Response.WriteAsync(line.ToJsonString() + "\n", Encoding.UTF8).ConfigureAwait(false);
        await context.Response.Body.FlushAsync().ConfigureAwait(false);
    }
}

/// <summary>/api/v1/[namespaces/NS/]PLURAL[/NAME[/status]] and /apis/GROUP/VERSION/...</summary>
public sealed record Route(ResourceType Type, string? Namespace, string? Name, string? Subresource)
{
    public static Route? Parse(string path, ObjectStore store)
    {
        var parts = path.Split('/', StringSplitOptions.RemoveEmptyEntries);
        string group,
            version;
        int i;
        if (parts.Length >= 3 && parts[0] == "api")
        {
            (group, version, i) = ("", parts[1], 2);
        }
        else if (parts.Length >= 4 && parts[0] == "apis")
        {
            (group, version, i) = (parts[1], parts[2], 3);
        }
        else
        {
            return null;
        }

        var rest = parts[i..];
        string? ns = null;
        if (rest.Length >= 3 && rest[0] == "namespaces" && store.Type(group, version, rest[2]) is { Namespaced: true })
        {
            ns = rest[1];
            rest = rest[2..];
        }

        var type = store.Type(group, version, rest[0]);
        if (type is null || rest.Length > 3)
        {
            return null;
        }

        var subresource = rest.Length == 3 ? rest[2] : null;
        if (subresource is not (null or "status") || (subresource == "status" && !type.HasStatus))
        {
            return null;
        }

        return new Route(type, type.Namespaced ? ns : null, rest.Length >= 2 ? rest[1] : null, subresource);
    }
}
