// Client of the public JSON API under /api/v1, with the bearer token flow.

import { h } from './dom';
import { t } from './i18n';

const TOKEN_KEY = 'shopsight.token';

export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly path: string,
  ) {
    super(message);
  }

  /** True for the server's 404 for a path it has no route for, as opposed to a missing product, alert or user. */
  get routeMissing(): boolean {
    return this.status === 404 && this.message.startsWith('not found: no route');
  }
}

/**
 * Request options. `interactive: false` (used by the background status poll)
 * throws on 401 instead of opening the token dialog.
 */
export interface RequestOptions {
  interactive?: boolean;
}

let tokenCancelled = false;

/** Lets the token dialog open again after the user cancelled it. The router calls it on each navigation. */
export function resetTokenCancel(): void {
  tokenCancelled = false;
}

type TokenListener = () => void;
let tokenListener: TokenListener | null = null;

/** Registers the callback that runs after the user entered a token in the dialog. */
export function onTokenEntered(listener: TokenListener): void {
  tokenListener = listener;
}

function storedToken(): string | null {
  try {
    return sessionStorage.getItem(TOKEN_KEY);
  } catch {
    return null;
  }
}

let tokenPrompt: Promise<string | null> | null = null;

/**
 * Shows the token dialog once for all requests that got 401 at the same
 * time. Resolves with the entered token, or null when the user cancels.
 */
function promptToken(rejected: boolean): Promise<string | null> {
  if (tokenPrompt) return tokenPrompt;
  tokenPrompt = new Promise<string | null>((resolve) => {
    const input = h('input', {
      id: 'token-input', type: 'password', autocomplete: 'off', required: true, spellcheck: 'false',
    });
    const form = h(
      'form',
      { method: 'dialog' },
      h('h2', { id: 'token-title' }, t('tokenTitle')),
      h('p', { id: 'token-text' }, t('tokenText')),
      rejected ? h('p', { class: 'error', role: 'alert' }, t('tokenRejected')) : null,
      h('label', { for: 'token-input' }, t('tokenLabel')),
      input,
      h(
        'div',
        { class: 'dialog-buttons' },
        h('button', { type: 'submit', value: 'ok', class: 'primary' }, t('tokenSubmit')),
        h('button', { type: 'button', value: 'cancel', id: 'token-cancel' }, t('tokenCancel')),
      ),
    );
    const dialog = h(
      'dialog',
      { id: 'token-dialog', 'aria-labelledby': 'token-title', 'aria-describedby': 'token-text' },
      form,
    );
    let settled = false;
    const finish = (value: string | null) => {
      if (settled) return;
      settled = true;
      dialog.close();
      dialog.remove();
      tokenPrompt = null;
      resolve(value);
    };
    form.addEventListener('submit', (event) => {
      event.preventDefault();
      const token = input.value.trim();
      if (!token) return;
      try {
        sessionStorage.setItem(TOKEN_KEY, token);
      } catch {
        // Without session storage the token lasts until the next reload.
        memoryToken = token;
      }
      finish(token);
      tokenListener?.();
    });
    const cancel = () => {
      tokenCancelled = true;
      finish(null);
    };
    dialog.querySelector('#token-cancel')?.addEventListener('click', cancel);
    dialog.addEventListener('cancel', (event) => {
      event.preventDefault();
      cancel();
    });
    document.body.appendChild(dialog);
    dialog.showModal();
    input.focus();
  });
  return tokenPrompt;
}

let memoryToken: string | null = null;

function currentToken(): string | null {
  return storedToken() ?? memoryToken;
}

type Query = Record<string, string | number | boolean | null | undefined>;

export function buildPath(path: string, query: Query = {}): string {
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries(query)) {
    if (value === null || value === undefined || value === '') continue;
    params.set(name, String(value));
  }
  const search = params.toString();
  return `/api/v1${path}${search ? `?${search}` : ''}`;
}

/**
 * Fetches JSON from the API. A 401 shows the token dialog and retries with the
 * entered token, unless the request is not interactive or the user cancelled
 * the dialog since the last navigation. Other failures throw ApiError, with
 * status 0 and a localized message for network errors.
 */
export async function getJson<T>(
  path: string, query: Query = {}, init: RequestInit = {}, options: RequestOptions = {},
): Promise<T> {
  const url = buildPath(path, query);
  let rejected = false;
  for (;;) {
    const headers = new Headers(init.headers);
    headers.set('Accept', 'application/json');
    const token = currentToken();
    if (token) headers.set('Authorization', `Bearer ${token}`);
    let response: Response;
    try {
      response = await fetch(url, { ...init, headers, cache: 'no-store' });
    } catch (error) {
      // fetch rejects with a TypeError whose text comes from the browser in its own language.
      if (error instanceof DOMException && error.name === 'AbortError') throw error;
      throw new ApiError(0, t('unreachable'), path);
    }
    if (response.status === 401) {
      if (token) {
        rejected = true;
        try {
          sessionStorage.removeItem(TOKEN_KEY);
        } catch {
          memoryToken = null;
        }
      }
      if (options.interactive === false || tokenCancelled) throw new ApiError(401, t('tokenNeeded'), path);
      const entered = await promptToken(rejected);
      if (entered === null) throw new ApiError(401, t('tokenNeeded'), path);
      continue;
    }
    if (!response.ok) {
      let message = `${response.status} ${response.statusText}`;
      try {
        const body = (await response.json()) as { error?: string };
        if (body.error) message = body.error;
      } catch {
        // A body that is not JSON keeps the status line as the message.
      }
      throw new ApiError(response.status, message, path);
    }
    return (await response.json()) as T;
  }
}

/** Returns null when the route or the object does not exist (404), and throws otherwise. */
export async function getOptional<T>(path: string, query: Query = {}): Promise<T | null> {
  try {
    return await getJson<T>(path, query);
  } catch (error) {
    if (error instanceof ApiError && error.status === 404) return null;
    throw error;
  }
}
