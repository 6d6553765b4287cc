/**
 * Property names that some YAML reader takes for something other than a string. kubectl reads YAML
 * 1.1, where `N`, `y`, `off`, `~` or `1_000` are booleans, null or numbers; a key so read reaches
 * the apiserver as `false` or `1000` and its value is lost. The spec, the CRD and the trial spec
 * must use none of them (checked by the CRD generator and a unit test).
 *
 * Pure: no imports.
 */

/** YAML 1.1 booleans (https://yaml.org/type/bool.html) and nulls (https://yaml.org/type/null.html). */
const WORDS = /^(y|Y|yes|Yes|YES|n|N|no|No|NO|true|True|TRUE|false|False|FALSE|on|On|ON|off|Off|OFF|null|Null|NULL|~|)$/;
/** YAML 1.1 ints and floats (base 2, 8, 10, 16, 60 with `_` separators) and .inf/.nan. */
const NUMBERS = [
  /^[-+]?(0b[01_]+|0[0-7_]+|(0|[1-9][0-9_]*)|0x[0-9a-fA-F_]+|[1-9][0-9_]*(:[0-5]?[0-9])+)$/,
  /^[-+]?([0-9][0-9_]*)?\.[0-9._]*([eE][-+][0-9]+)?$/,
  /^[-+]?[0-9][0-9_]*(:[0-5]?[0-9])+\.[0-9_]*$/,
  /^[-+]?\.(inf|Inf|INF)$/,
  /^\.(nan|NaN|NAN)$/,
];

/** Whether a YAML 1.1 or 1.2 reader may read `key` as a boolean, null or number instead of a string. */
export function isAmbiguousYamlKey(key: string): boolean {
  return WORDS.test(key) || NUMBERS.some((re) => re.test(key)) || /^[-+]?[0-9]/.test(key);
}
