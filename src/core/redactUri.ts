/** The URI with its password replaced, safe to print (error messages name the URI, never a credential). */
export function redactUri(uri: string): string {
  try {
    const u = new URL(uri);
    if (u.password !== '') u.password = '***';
    return u.toString();
  } catch {
    return uri.replace(/\/\/([^:/@]*):[^@]*@/, '//$1:***@');
  }
}
