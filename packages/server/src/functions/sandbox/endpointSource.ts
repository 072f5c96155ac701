/**
 * JavaScript evaluated inside every sandbox context, before `run`: the `(request, response)`
 * pair an HTTPS endpoint's function is called with. The host sends the request as EJSON
 * `{queryText, headersText, body?}` (query and headers as JSON text, body a Binary); the
 * function gets `{query, headers, body}` with `body.text()`, and a
 * `response` whose `setStatusCode`, `setBody`, `addHeader` and `setHeader` fill a plain state
 * object that travels back to the host beside the function's return value.
 */
export const ENDPOINT_SOURCE = `
const makeEndpointCall = (requestDocument) => {
  const source = requestDocument !== null && typeof requestDocument === "object" ? requestDocument : {};
  const body = source.body instanceof BSON.Binary ? source.body : undefined;
  if (body !== undefined) {
    defineProperty(body, "text", { value: () => body.toString("utf8"), enumerable: false });
  }
  const parsed = (text) => {
    const value = typeof text === "string" ? jsonParse(text) : undefined;
    return freeze(isPlainObject(value) ? value : {});
  };
  const request = freeze({ query: parsed(source.queryText), headers: parsed(source.headersText), body });
  const state = { headers: {} };
  const headerName = (name) => {
    if (typeof name !== "string" || name === "") throw new TypeError("a header name must be a non-empty string");
    return name;
  };
  const response = freeze({
    setStatusCode: (code) => {
      const number = Number(code);
      if (!Number.isInteger(number) || number < 100 || number > 599) throw new RangeError("a status code is an integer from 100 to 599");
      state.statusCode = number;
    },
    setBody: (value) => { state.body = value; },
    addHeader: (name, value) => {
      const key = headerName(name);
      const values = Object.prototype.hasOwnProperty.call(state.headers, key) ? state.headers[key] : [];
      defineProperty(state.headers, key, { value: [...values, String(value)], writable: true, enumerable: true, configurable: true });
    },
    setHeader: (name, value) => {
      defineProperty(state.headers, headerName(name), { value: [String(value)], writable: true, enumerable: true, configurable: true });
    },
  });
  return { request, response, state };
};
`;
