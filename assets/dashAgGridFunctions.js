// Functions the grids' value formatters call by name (dash-ag-grid looks them up here).
var dagfuncs = (window.dashAgGridFunctions = window.dashAgGridFunctions || {});

// A number in the user's locale with a real minus sign: 1 234,5 / 1,234.5 / −5
dagfuncs.localNumber = function (value, locale, options) {
  return Number(value).toLocaleString(locale, options).replace("-", "\u2212");
};
