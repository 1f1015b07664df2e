'use strict';
// plotly.js core (scatter) with the trace types the committee reports draw: bar, waterfall, table.
var Plotly = require('plotly.js/lib/core');
Plotly.register([require('plotly.js/lib/bar'), require('plotly.js/lib/waterfall'), require('plotly.js/lib/table')]);
module.exports = Plotly;
