#include "textflag.h"

// func cpuHasAVX2() bool
TEXT ·cpuHasAVX2(SB), NOSPLIT, $0-1
	MOVL $1, AX
	XORL CX, CX
	CPUID
	// OSXSAVE (bit 27) and AVX (bit 28) in ECX.
	ANDL $0x18000000, CX
	CMPL CX, $0x18000000
	JNE  no
	// XGETBV: the OS saves the SSE and AVX state (XCR0 bits 1 and 2).
	XORL CX, CX
	BYTE $0x0f; BYTE $0x01; BYTE $0xd0
	ANDL $6, AX
	CMPL AX, $6
	JNE  no
	// AVX2: leaf 7, EBX bit 5.
	MOVL $7, AX
	XORL CX, CX
	CPUID
	BTL  $5, BX
	JCC  no
	MOVB $1, ret+0(FP)
	RET
no:
	MOVB $0, ret+0(FP)
	RET

// func dotAVX2(a, b *float32, n int) float32
// Lanes as dotLanes: Y0..Y3 hold lanes 0-7, 8-15, 16-23, 24-31.
TEXT ·dotAVX2(SB), NOSPLIT, $0-28
	MOVQ a+0(FP), SI
	MOVQ b+8(FP), DI
	MOVQ n+16(FP), CX
	VXORPS Y0, Y0, Y0
	VXORPS Y1, Y1, Y1
	VXORPS Y2, Y2, Y2
	VXORPS Y3, Y3, Y3
loop:
	CMPQ CX, $32
	JLT  fold
	VMOVUPS (SI), Y4
	VMOVUPS 32(SI), Y5
	VMOVUPS 64(SI), Y6
	VMOVUPS 96(SI), Y7
	VMULPS  (DI), Y4, Y4
	VMULPS  32(DI), Y5, Y5
	VMULPS  64(DI), Y6, Y6
	VMULPS  96(DI), Y7, Y7
	VADDPS  Y4, Y0, Y0
	VADDPS  Y5, Y1, Y1
	VADDPS  Y6, Y2, Y2
	VADDPS  Y7, Y3, Y3
	ADDQ    $128, SI
	ADDQ    $128, DI
	SUBQ    $32, CX
	JMP     loop
fold:
	// l = (Y0 + Y1) + (Y2 + Y3), lane by lane.
	VADDPS Y1, Y0, Y0
	VADDPS Y3, Y2, Y2
	VADDPS Y2, Y0, Y0
	// h[i] = l[i] + l[i+4].
	VEXTRACTF128 $1, Y0, X1
	VADDPS       X1, X0, X0
	// (h0 + h2), (h1 + h3).
	VMOVHLPS X0, X0, X1
	VADDPS   X1, X0, X0
	// (h0 + h2) + (h1 + h3).
	VMOVSHDUP X0, X1
	VADDSS    X1, X0, X0
	VZEROUPPER
	MOVSS X0, ret+24(FP)
	RET

// func cpuHasF16C() bool
TEXT ·cpuHasF16C(SB), NOSPLIT, $0-1
	MOVL $1, AX
	XORL CX, CX
	CPUID
	BTL  $29, CX
	JCC  nof16c
	MOVB $1, ret+0(FP)
	RET
nof16c:
	MOVB $0, ret+0(FP)
	RET

// func dotHalfAVX2(a *float32, b *uint16, n int) float32
// dotAVX2 with b as halves, widened by VCVTPH2PS: the same lanes and fold.
TEXT ·dotHalfAVX2(SB), NOSPLIT, $0-28
	MOVQ a+0(FP), SI
	MOVQ b+8(FP), DI
	MOVQ n+16(FP), CX
	VXORPS Y0, Y0, Y0
	VXORPS Y1, Y1, Y1
	VXORPS Y2, Y2, Y2
	VXORPS Y3, Y3, Y3
hloop:
	CMPQ CX, $32
	JLT  hfold
	VCVTPH2PS (DI), Y8
	VCVTPH2PS 16(DI), Y9
	VCVTPH2PS 32(DI), Y10
	VCVTPH2PS 48(DI), Y11
	VMULPS  (SI), Y8, Y4
	VMULPS  32(SI), Y9, Y5
	VMULPS  64(SI), Y10, Y6
	VMULPS  96(SI), Y11, Y7
	VADDPS  Y4, Y0, Y0
	VADDPS  Y5, Y1, Y1
	VADDPS  Y6, Y2, Y2
	VADDPS  Y7, Y3, Y3
	ADDQ    $128, SI
	ADDQ    $64, DI
	SUBQ    $32, CX
	JMP     hloop
hfold:
	VADDPS Y1, Y0, Y0
	VADDPS Y3, Y2, Y2
	VADDPS Y2, Y0, Y0
	VEXTRACTF128 $1, Y0, X1
	VADDPS       X1, X0, X0
	VMOVHLPS X0, X0, X1
	VADDPS   X1, X0, X0
	VMOVSHDUP X0, X1
	VADDSS    X1, X0, X0
	VZEROUPPER
	MOVSS X0, ret+24(FP)
	RET
