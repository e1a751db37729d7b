// Sign-in and sign-out go through the API itself, so the browser holds the same HttpOnly
// auth-token cookie the API sets; the page then reloads and a new circuit reads that cookie.
window.intelagentPortal = {
    async signIn(email, password) {
        return await this.postAuth('/api/auth/login', { email, password });
    },
    // The second sign-in step: the challenge of signIn with an authenticator, SMS or recovery code.
    async verifyTwoFactor(challengeToken, code, recoveryCode, method) {
        return await this.postAuth('/api/auth/2fa/verify', { challengeToken, code, recoveryCode, method });
    },
    async sendSignInSms(challengeToken) {
        return await this.postAuth('/api/auth/2fa/sms/send', { challengeToken });
    },
    // Single sign-on: asked without following the redirect first, so an email without SSO shows
    // the API's problem on the page; with SSO the browser then goes to the identity provider.
    async startSso(email, returnUrl) {
        const url = '/api/auth/sso/start?email=' + encodeURIComponent(email) + '&returnUrl=' + encodeURIComponent(returnUrl);
        const response = await fetch(url, { credentials: 'same-origin', redirect: 'manual', headers: { 'accept': 'application/json' } });
        if (response.type === 'opaqueredirect' || (response.status >= 300 && response.status < 400)) {
            window.location.assign(url);
            return { ok: true, status: 302, code: null, detail: null, errors: null, twoFactorRequired: false, challengeToken: null, methods: null };
        }
        return await this.outcome(response);
    },
    async postAuth(url, body) {
        const response = await fetch(url, {
            method: 'POST',
            credentials: 'same-origin',
            headers: { 'content-type': 'application/json', 'accept': 'application/json' },
            body: JSON.stringify(body),
        });
        return await this.outcome(response);
    },
    async outcome(response) {
        let body = {};
        try { body = await response.json(); } catch { /* empty body */ }
        if (response.ok) {
            return {
                ok: true, status: response.status, code: null, detail: null, errors: null,
                twoFactorRequired: !!body.twoFactorRequired, challengeToken: body.challengeToken ?? null, methods: body.methods ?? null,
            };
        }
        return {
            ok: false, status: response.status, code: body.code ?? null, detail: body.detail ?? body.title ?? 'Sign-in failed.',
            errors: body.errors ?? null, twoFactorRequired: false, challengeToken: null, methods: null,
        };
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
    // Values to hand to an identity provider or DNS; false when the browser refuses (no secure context, no permission).
    async copy(text) {
        try {
            await navigator.clipboard.writeText(text);
            return true;
        } catch {
            return false;
        }
    },
    async signOut() {
        try { localStorage.removeItem('intelagent.organization'); } catch { /* storage disabled */ }
        await fetch('/api/auth/logout', { method: 'POST', credentials: 'same-origin' });
        window.location.assign('/sign-in');
    },
};

// A table wider than its container scrolls sideways (on a phone, or with long values): such a
// region must be reachable by keyboard (WCAG 2.1.1), so it becomes focusable while it scrolls.
(() => {
    let scheduled = false;
    const mark = () => {
        scheduled = false;
        for (const container of document.querySelectorAll('.mud-table-container')) {
            const scrolls = container.scrollWidth > container.clientWidth || container.scrollHeight > container.clientHeight;
            if (scrolls && !container.hasAttribute('tabindex')) {
                container.setAttribute('tabindex', '0');
                container.setAttribute('role', 'region');
                const label = container.closest('[aria-label]')?.getAttribute('aria-label');
                container.setAttribute('aria-label', label ? `${label} (scrolls)` : 'Table (scrolls)');
            } else if (!scrolls && container.getAttribute('tabindex') === '0') {
                container.removeAttribute('tabindex');
                container.removeAttribute('role');
                container.removeAttribute('aria-label');
            }
        }
    };
    const schedule = () => { if (!scheduled) { scheduled = true; requestAnimationFrame(mark); } };
    new MutationObserver(schedule).observe(document.documentElement, { childList: true, subtree: true });
    window.addEventListener('resize', schedule);
})();
