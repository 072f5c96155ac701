/**
 * JavaScript evaluated inside every sandbox context, last: `context` and `run`, the entry
 * point the host calls once per context with the two bridge references, the call's init
 * (EJSON: user, request, values, environment, app, services, runningAsSystem, limits, and a
 * random seed for ObjectId counters), the function's module factory and its arguments (EJSON
 * array).
 *
 * The factory runs the source's top level with a `module` and returns the value its
 * `exports` variable ended with; `exports = f` and `module.exports = f` both work.
 *
 * With `init.endpoint`, the one argument is an HTTPS request: the function is called with
 * `(request, response)` and the result is `{result, response}` (see endpointSource.ts).
 *
 * `run` never throws: it answers "R" + EJSON `{"v": result}`, "E" + JSON `{message, name?,
 * stack?, code?}` when the function threw (whatever it threw), or "D" + JSON `{message}`
 * when the source does not export a function.
 */
export const RUN_SOURCE = `
const describeThrown = (thrown) => {
  const info = {};
  try {
    if (thrown instanceof Error) {
      info.message = String(thrown.message);
      info.name = String(thrown.name);
      if (typeof thrown.stack === "string") info.stack = thrown.stack;
      if (typeof thrown.code === "string") info.code = thrown.code;
    } else if (typeof thrown === "string") {
      info.message = thrown;
    } else {
      let text;
      try { text = ejsonStringify(thrown, { relaxed: true }); } catch {}
      info.message = typeof text === "string" ? text : String(thrown);
    }
  } catch {
    info.message = "the function threw a value that cannot be printed";
  }
  try { return jsonStringify(info); } catch { return '{"message":"the function threw a value that cannot be printed"}'; }
};

const makeContext = (init) => {
  const values = init.values;
  return freeze({
    user: init.user,
    request: init.request,
    app: freeze(init.app),
    environment: freeze({ tag: init.environment.tag, values: init.environment.values }),
    values: freeze({ get: (name) => (Object.prototype.hasOwnProperty.call(values, name) ? values[name] : undefined) }),
    services: makeServices(init.services),
    functions: freeze({
      execute: (name, ...args) => hostAsync("execute", encodeValue({ name: String(name), args })).then(decodeResult),
    }),
    http: httpObject,
    runningAsSystem: () => init.runningAsSystem === true,
  });
};

const run = async (syncReference, asyncReference, initText, factory, argsText) => {
  bridge = { sync: syncReference, async: asyncReference };
  try {
    const init = decodeText(initText);
    BSON.ObjectId.index = parseInt(init.objectIdCounterSeed, 16);
    installGlobals();
    globalThis.context = makeContext(init);
    let args = decodeText(argsText);
    const endpoint = init.endpoint === true ? makeEndpointCall(args[0]) : null;
    if (endpoint !== null) args = [endpoint.request, endpoint.response];
    const module = { exports: {} };
    const initialExports = module.exports;
    const assigned = factory(module);
    const exported = assigned !== initialExports ? assigned : module.exports;
    if (typeof exported !== "function") {
      return "D" + jsonStringify({ message: "the source does not export a function (expected exports = function (...) { ... })" });
    }
    const value = await reflectApply(exported, undefined, args);
    const text = encodeValue({ v: endpoint === null ? value : { result: value, response: endpoint.state } });
    if (text.length > init.limits.resultChars) {
      return "E" + jsonStringify({
        message: "the return value is too large: " + text.length + " characters of Extended JSON, the limit is " + init.limits.resultChars,
      });
    }
    return "R" + text;
  } catch (thrown) {
    return "E" + describeThrown(thrown);
  }
};
`;
