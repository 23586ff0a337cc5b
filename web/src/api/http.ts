// The one way the front end calls the server: JSON in and out, the session
// cookie, the CSRF header on changes, and the server's error envelope turned
// into ApiError (code for programs, Chinese message for people).
export interface Page<T> {
  total: number
  page: number
  size: number
  items: T[]
}

export class ApiError extends Error {
  constructor(
    public status: number,
    public code: string,
    message: string,
    public details: Record<string, unknown> = {},
    public body: unknown = undefined,
  ) {
    super(message)
  }
}

type Query = Record<string, string | number | boolean | undefined | null>

let onUnauthenticated: (() => void) | null = null
/** Called when a signed-in call finds the session gone (expired or ended). */
export function setUnauthenticatedHandler(fn: () => void) {
  onUnauthenticated = fn
}

export function csrfToken(): string {
  const m = document.cookie.match(/(?:^|;\s*)yl_csrf=([^;]+)/)
  return m ? decodeURIComponent(m[1]) : ''
}

export function buildUrl(path: string, query?: Query): string {
  const params = new URLSearchParams()
  for (const [k, v] of Object.entries(query ?? {})) {
    if (v !== undefined && v !== null && v !== '') params.append(k, String(v))
  }
  const qs = params.toString()
  return '/api/v1' + path + (qs ? '?' + qs : '')
}

async function send<T>(method: string, path: string, query?: Query, body?: unknown,
                       contentType = 'application/json'): Promise<T> {
  const headers: Record<string, string> = {}
  let payload: BodyInit | undefined
  if (body !== undefined) {
    headers['Content-Type'] = contentType
    payload = contentType === 'application/json' ? JSON.stringify(body) : (body as BodyInit)
  }
  if (method !== 'GET') headers['X-CSRF-Token'] = csrfToken()
  let res: Response
  try {
    res = await fetch(buildUrl(path, query), { method, headers, body: payload, credentials: 'same-origin' })
  } catch {
    throw new ApiError(0, 'network', '无法连接服务器，请检查网络后重试')
  }
  const text = await res.text()
  let data: unknown = undefined
  try {
    data = text ? JSON.parse(text) : undefined
  } catch {
    data = text
  }
  if (!res.ok) {
    const env = (data as { error?: { code: string; message: string; details?: Record<string, unknown> } })?.error
    const err = new ApiError(res.status, env?.code ?? 'http.' + res.status, env?.message ?? `请求失败（${res.status}）`,
      env?.details ?? {}, data)
    if (res.status === 401 && err.code === 'auth.unauthenticated' && onUnauthenticated) onUnauthenticated()
    throw err
  }
  return data as T
}

export const http = {
  get: <T>(path: string, query?: Query) => send<T>('GET', path, query),
  post: <T>(path: string, body?: unknown, query?: Query) => send<T>('POST', path, query, body ?? {}),
  put: <T>(path: string, body?: unknown) => send<T>('PUT', path, undefined, body ?? {}),
  patch: <T>(path: string, body?: unknown) => send<T>('PATCH', path, undefined, body ?? {}),
}

/**
 * Uploads a file as the request body with progress (fetch cannot report it):
 * `onProgress` gets the fraction sent, 0..1. Errors as `send` gives them.
 */
export function uploadWithProgress<T>(path: string, file: Blob, query: Query,
                                      onProgress: (fraction: number) => void): Promise<T> {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest()
    xhr.open('POST', buildUrl(path, query))
    xhr.setRequestHeader('Content-Type', 'application/octet-stream')
    xhr.setRequestHeader('X-CSRF-Token', csrfToken())
    xhr.upload.onprogress = (e) => { if (e.lengthComputable) onProgress(e.loaded / e.total) }
    xhr.onerror = () => reject(new ApiError(0, 'network', '无法连接服务器，请检查网络后重试'))
    xhr.onload = () => {
      let data: unknown = undefined
      try { data = xhr.responseText ? JSON.parse(xhr.responseText) : undefined } catch { data = xhr.responseText }
      if (xhr.status >= 200 && xhr.status < 300) return resolve(data as T)
      const env = (data as { error?: { code: string; message: string; details?: Record<string, unknown> } })?.error
      const err = new ApiError(xhr.status, env?.code ?? 'http.' + xhr.status, env?.message ?? `请求失败（${xhr.status}）`, env?.details ?? {}, data)
      if (xhr.status === 401 && err.code === 'auth.unauthenticated' && onUnauthenticated) onUnauthenticated()
      reject(err)
    }
    xhr.send(file)
  })
}

/** Downloads a server file (export, roll, template) through the browser. */
export function download(path: string, query?: Query) {
  const a = document.createElement('a')
  a.href = buildUrl(path, query)
  a.rel = 'noopener'
  document.body.appendChild(a)
  a.click()
  a.remove()
}
