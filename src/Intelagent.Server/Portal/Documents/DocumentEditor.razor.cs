using System.Text.Json;
using Intelagent.Server.Documents;
using Intelagent.Server.Platform.Authorization;
using Intelagent.Server.Platform.Problems;
using Intelagent.Server.Portal.Live;
using Intelagent.Server.Realtime.Presence;
using Intelagent.Server.Realtime.Stream;
using Microsoft.AspNetCore.Components;
using Microsoft.JSInterop;
using MudBlazor;

namespace Intelagent.Server.Portal.Documents;

/// <summary>What the editor's script gets back from a call: the outcome, and the problem's words on a refusal.</summary>
public sealed record EditorAnswer(bool Ok, int Status, string? Code, string? Detail, int? Revision = null, IReadOnlyList<AppliedOperation>? Operations = null)
{
    public static EditorAnswer From(Error error) => new(false, error.Status, error.Code, error.Detail);
}

/// <summary>
/// The collaborative editor. The text lives in the browser (wwwroot/portal/documents.js, the OT
/// client); this component is its transport over the circuit: edits, cursors and catch-up reads run
/// the Documents module's service through <see cref="PortalSession.RunAsync{T}"/> (the API's own
/// permission checks), and this circuit's realtime events for the document are handed to the script.
/// The circuit is also the person's presence in the document: a live connection of this node, which
/// the presence sweep keeps fresh while the page is open and which leaves when the page is disposed.
/// </summary>
public sealed partial class DocumentEditor
{
    [Parameter] public string DocumentId { get; set; } = "";

    [Inject] private IJSRuntime Js { get; set; } = default!;
    [Inject] private PortalLive Live { get; set; } = default!;
    [Inject] private PresenceTracker Presence { get; set; } = default!;
    [Inject] private PresenceDocuments PresenceDocuments { get; set; } = default!;

    private readonly List<(string Kind, object Payload)> _early = [];
    private readonly Lock _gate = new();
    private DotNetObjectReference<DocumentEditor>? _self;
    private IJSObjectReference? _editor;
    private ElementReference _textarea, _overlay;
    private DocumentResponse? _document;
    private string? _organizationId, _projectName, _presenceConnection, _watchedGroup, _stopped, _openedId;
    private IReadOnlyList<PresentUser> _present = [];
    private long _presenceVersion = -1;
    private bool _canEdit, _canManage, _showHistory, _listening, _start, _starting, _disposed;
    private string _state = "connecting";

    private string StateText => _state switch
    {
        "synchronized" => _canEdit ? "All changes saved" : "Live",
        "saving" => "Saving…",
        "offline" => "Offline, retrying…",
        "stopped" => "Stopped",
        _ => "Connecting…",
    };

    private Color StateColor => _state switch { "synchronized" => Color.Success, "offline" or "stopped" => Color.Error, _ => Color.Default };

    private string StateIcon => _state switch
    {
        "synchronized" => Icons.Material.Filled.CloudDone,
        "offline" or "stopped" => Icons.Material.Filled.CloudOff,
        _ => Icons.Material.Filled.CloudSync,
    };

    protected override async Task OnParametersSetAsync()
    {
        if (_openedId is not null && _openedId != DocumentId) await ReloadAsync();
    }

    protected override async Task<Error?> LoadAsync()
    {
        await CloseAsync();
        (_stopped, _state, _openedId) = (null, "connecting", DocumentId);
        // The document may be another of the person's organizations than the one in context.
        _organizationId = await PresenceDocuments.ReadableOrganizationAsync(Portal.UserId!, DocumentId, CancellationToken.None);
        if (_organizationId is null) return Error.NotFound("document");
        // Listen before reading, so no edit falls between the read and the first event (older ones are skipped by revision).
        await Live.StartAsync();
        if (!_listening) Live.Received += OnLiveAsync;
        _listening = true;
        var document = await Portal.RunAsync(Permissions.DocumentsRead, (services, cancellationToken) =>
            services.GetRequiredService<DocumentService>().GetAsync(DocumentId, cancellationToken), organizationId: _organizationId);
        if (!document.IsSuccess) return document.Error;
        _document = document.Value!;
        var project = await Portal.RunAsync(Permissions.ProjectsRead, async (services, cancellationToken) =>
            (Result<string>)(await services.GetRequiredService<Organizations.ProjectService>().GetAsync(_document.ProjectId, cancellationToken))?.Name!, organizationId: _organizationId);
        _projectName = project.Value ?? "Project";
        _canEdit = await Portal.AllowsAsync(Permissions.DocumentsEdit, organizationId: _organizationId);
        _canManage = _canEdit && DocumentPeople.MayManage(Portal, _organizationId, _document.CreatedByUserId);

        _presenceConnection = "portal:" + Guid.NewGuid().ToString("N");
        await Presence.ConnectAsync(_presenceConnection, Portal.UserId!, [], SetGroupAsync);
        var joined = await Presence.JoinDocumentAsync(_presenceConnection, DocumentId, CancellationToken.None);
        if (joined.Value is { } present) ShowPresence(present);
        lock (_gate) (_start, _starting) = (true, true);
        return null;
    }

    private Task SetGroupAsync(string group, bool join)
    {
        if (join) Live.Watch(_watchedGroup = group);
        else Live.Unwatch(group);
        return Task.CompletedTask;
    }

    protected override async Task OnAfterRenderAsync(bool firstRender)
    {
        if (!_start || _document is null || _disposed) return;
        _start = false;
        _self ??= DotNetObjectReference.Create(this);
        _editor = await Js.InvokeAsync<IJSObjectReference>("intelagentDocuments.start", _textarea, _overlay, _self,
            new { userId = Portal.UserId, readOnly = !_canEdit, revision = _document.Revision, content = _document.Content });
        if (_disposed)
        {
            await CloseAsync();
            return;
        }
        List<(string Kind, object Payload)> early;
        lock (_gate)
        {
            early = [.. _early];
            _early.Clear();
            _starting = false;
        }
        foreach (var (kind, payload) in early) await DeliverAsync(kind, payload);
        await DeliverAsync("presence", new { users = _present });
    }

    // Handlers run on the fan-out's thread: only this document's events go on, through the circuit's dispatcher.
    private Task OnLiveAsync(RealtimeMessage message)
    {
        if (message.OrganizationId != _organizationId) return Task.CompletedTask;
        (string Kind, object? Payload) item = message.Type switch
        {
            RealtimeEventTypes.DocumentUpdated => ("operation", message.PayloadAs<AppliedOperation>() is { } o && o.DocumentId == DocumentId ? o : null),
            RealtimeEventTypes.CursorUpdated => ("cursor", message.PayloadAs<CursorEvent>() is { } c && c.DocumentId == DocumentId ? c : null),
            PresenceNotifier.EventType => ("presence", message.PayloadAs<PresenceResponse>() is { } p && p.DocumentId == DocumentId ? p : null),
            _ => ("", null),
        };
        if (item.Payload is null) return Task.CompletedTask;
        return InvokeAsync(async () =>
        {
            if (item.Payload is PresenceResponse presence)
            {
                // Events from two nodes may cross: the highest version is the latest list.
                if (presence.Version < _presenceVersion) return;
                ShowPresence(presence);
                StateHasChanged();
                await DeliverAsync("presence", new { users = _present });
                return;
            }
            if (_editor is not null) await DeliverAsync(item.Kind, item.Payload);
            else lock (_gate) if (_starting) _early.Add((item.Kind, item.Payload));
        });
    }

    private void ShowPresence(PresenceResponse presence) =>
        (_present, _presenceVersion) = (presence.Users.OrderBy(u => u.UserId == Portal.UserId ? 0 : 1).ThenBy(u => u.Name).ToList(), presence.Version);

    private async Task DeliverAsync(string kind, object payload)
    {
        if (_editor is null || _disposed) return;
        try { await _editor.InvokeVoidAsync("deliver", kind, payload); }
        catch (JSDisconnectedException) { }
    }

    [JSInvokable]
    public async Task<EditorAnswer> Submit(int revision, JsonElement operation, string clientId)
    {
        var result = await Portal.RunAsync(Permissions.DocumentsEdit, (services, cancellationToken) =>
            services.GetRequiredService<DocumentService>().SubmitAsync(DocumentId, new SubmitOperationRequest(revision, operation, clientId), cancellationToken),
            organizationId: _organizationId);
        return result.IsSuccess ? new EditorAnswer(true, 200, null, null, result.Value!.Revision) : EditorAnswer.From(result.Error!);
    }

    [JSInvokable]
    public async Task<EditorAnswer> ShareCursor(int revision, int anchor, int head)
    {
        var result = await Portal.RunAsync(Permissions.DocumentsRead, (services, cancellationToken) =>
            services.GetRequiredService<DocumentService>().ShareCursorAsync(DocumentId, new CursorRequest(revision, anchor, head), cancellationToken),
            organizationId: _organizationId);
        return result.IsSuccess ? new EditorAnswer(true, 200, null, null, result.Value!.Revision) : EditorAnswer.From(result.Error!);
    }

    [JSInvokable]
    public async Task<EditorAnswer> CatchUp(int since)
    {
        var result = await Portal.RunAsync(Permissions.DocumentsRead, (services, cancellationToken) =>
            services.GetRequiredService<DocumentService>().OperationsSinceAsync(DocumentId, since, cancellationToken), organizationId: _organizationId);
        return result.IsSuccess ? new EditorAnswer(true, 200, null, null, null, result.Value) : EditorAnswer.From(result.Error!);
    }

    [JSInvokable]
    public Task StateChanged(string state) => InvokeAsync(() =>
    {
        _state = state;
        StateHasChanged();
    });

    /// <summary>The server refused an edit (the document is gone, the role changed...): the editor has stopped; say why.</summary>
    [JSInvokable]
    public Task Stopped(int status, string? code, string? detail) => InvokeAsync(async () =>
    {
        if (status == 401)
        {
            Navigation.NavigateTo(Layout.SignInLinks.For(Navigation), forceLoad: true);
            return;
        }
        _state = "stopped";
        _stopped = status switch
        {
            404 => "This document was deleted, or you no longer have access to it. Your last changes could not be saved.",
            403 => "You may no longer edit this document. Your last changes could not be saved.",
            _ => $"The editor stopped: {detail ?? code ?? "the server refused the change"}. Open the document again to continue.",
        };
        await CloseAsync();
        StateHasChanged();
    });

    private void ToggleHistory() => _showHistory = !_showHistory;

    /// <summary>Stops the script (its timers and listeners) and leaves the document's presence.</summary>
    private async Task CloseAsync()
    {
        var (editor, connection) = (_editor, _presenceConnection);
        (_editor, _presenceConnection) = (null, null);
        if (editor is not null)
        {
            try
            {
                await editor.InvokeVoidAsync("dispose");
                await editor.DisposeAsync();
            }
            catch (JSDisconnectedException) { }
        }
        if (connection is not null)
        {
            await Presence.DisconnectAsync(connection);
            if (_watchedGroup is { } group) Live.Unwatch(group);
            _watchedGroup = null;
        }
    }

    public async ValueTask DisposeAsync()
    {
        _disposed = true;
        if (_listening) Live.Received -= OnLiveAsync;
        await CloseAsync();
        _self?.Dispose();
        Dispose();
    }
}
