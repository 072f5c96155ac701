/**
 * `Realm.flags`: the switches Realm JS v12 apps set before opening a realm. They are accepted so
 * that such apps run unchanged; none of them changes what this SDK does.
 */
export const flags = {
  ALLOW_VALUES_ARRAYS: false,
  THROW_ON_GLOBAL_REALM: false,
  ALLOW_CLEAR_TEST_STATE: false,
};
