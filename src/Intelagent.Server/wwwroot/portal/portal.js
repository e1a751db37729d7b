// Sign-in and sign-out go through the API itself, so the browser holds the same HttpOnly
// auth-token cookie the API sets; the page then reloads and a new circuit reads that cookie.
window.intelagentPortal = {
    async signIn(email, password) {
        const response = await fetch('/api/auth/login', {
            method: 'POST',
            credentials: 'same-origin',
            headers: { 'content-type': 'application/json', 'accept': 'application/json' },
            body: JSON.stringify({ email, password }),
        });
        let body = {};
        try { body = await response.json(); } catch { /* empty body */ }
        if (response.ok) return { ok: true, status: response.status, code: null, detail: null, twoFactorRequired: !!body.twoFactorRequired };
        return { ok: false, status: response.status, code: body.code ?? null, detail: body.detail ?? body.title ?? 'Sign-in failed.', twoFactorRequired: false };
    },
    // The auth-token cookie lives as long as its token (an hour): while a portal page is open it is
    // renewed through the API's refresh, so a long-open page can still be reloaded signed in.
    keepSignedIn() {
        if (this.refreshTimer) return;
        const refresh = () => fetch('/api/auth/refresh', { method: 'POST', credentials: 'same-origin' }).catch(() => { });
        this.refreshTimer = setInterval(refresh, 20 * 60 * 1000);
    },
    // The organization in context survives a reload; it is only a preference, every action is checked.
    rememberOrganization(id) {
        try { localStorage.setItem('intelagent.organization', id); } catch { /* storage disabled */ }
    },
    rememberedOrganization() {
        try { return localStorage.getItem('intelagent.organization'); } catch { return null; }
    },
    // A file from an organization-scoped API route: fetched with the organization header, then saved.
    async download(url, organizationId) {
        const response = await fetch(url, { credentials: 'same-origin', headers: { 'X-Organization-Id': organizationId } });
        if (!response.ok) return false;
        const disposition = response.headers.get('content-disposition') ?? '';
        const name = /filename="?([^";]+)"?/.exec(disposition)?.[1] ?? 'download';
        const link = document.createElement('a');
        link.href = URL.createObjectURL(await response.blob());
        link.download = name;
        document.body.appendChild(link);
        link.click();
        link.remove();
        setTimeout(() => URL.revokeObjectURL(link.href), 10_000);
        return true;
    },
    async signOut() {
        try { localStorage.removeItem('intelagent.organization'); } catch { /* storage disabled */ }
        await fetch('/api/auth/logout', { method: 'POST', credentials: 'same-origin' });
        window.location.assign('/sign-in');
    },
};
