import { ElMessage } from 'element-plus'
import 'element-plus/es/components/message/style/css'
import { ApiError } from '@/api/http'

export function showError(e: unknown) {
  const msg = e instanceof ApiError ? e.message : e instanceof Error ? e.message : String(e)
  ElMessage({ type: 'error', message: msg, showClose: true })
}
export function showOk(msg: string) {
  ElMessage({ type: 'success', message: msg })
}
