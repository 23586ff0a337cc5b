// ECharts with only the parts the pages use (tree-shaken).
import * as echarts from 'echarts/core'
import { BarChart, PieChart, ScatterChart, EffectScatterChart } from 'echarts/charts'
import { GridComponent, TooltipComponent, LegendComponent, TitleComponent } from 'echarts/components'
import { CanvasRenderer } from 'echarts/renderers'

echarts.use([BarChart, PieChart, ScatterChart, EffectScatterChart, GridComponent, TooltipComponent, LegendComponent, TitleComponent, CanvasRenderer])
export default echarts
