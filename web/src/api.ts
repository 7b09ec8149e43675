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
    });
    dialog.querySelector('#token-cancel')?.addEventListener('click', () => finish(null));
    dialog.addEventListener('cancel', () => finish(null));
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
 * entered token. Other failures throw ApiError, with status 0 for network errors.
 */
export async function getJson<T>(path: string, query: Query = {}, init: RequestInit = {}): Promise<T> {
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
      throw new ApiError(0, error instanceof Error ? error.message : String(error), path);
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
